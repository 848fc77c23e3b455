"""Certificates: issue, store, verify, revoke and re-issue course certificates."""
