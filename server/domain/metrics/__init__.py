"""Metrics and compliance: pure arithmetic of SPEC §2.6."""
