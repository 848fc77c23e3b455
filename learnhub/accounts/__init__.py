"""Accounts: registration, sign in and out, password reset, profile."""
