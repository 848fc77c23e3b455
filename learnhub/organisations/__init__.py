"""Training hubs, PCNs and practices, and hub user management."""
