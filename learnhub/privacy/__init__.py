"""Data protection: a person's copy of their data, and erasure (depends on every feature; no feature depends on it)."""
