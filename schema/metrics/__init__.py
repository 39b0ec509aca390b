"""The metrics API: `dashboard` (SPEC §2.6)."""
