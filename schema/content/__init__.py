"""Content requests (SPEC §2.8): types, queries and mutations."""
