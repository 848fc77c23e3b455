"""Home page, service pages and the health check."""
