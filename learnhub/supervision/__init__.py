"""Supervision arrangements for ARRS staff (issue 19)."""
