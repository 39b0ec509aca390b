"""Metrics and compliance: the dashboard\x27s reads (SPEC §2.6)."""
