"""The benchmark harness: `make bench` (see bench/README.md).

Every speed claim about Accord comes from here: seeded data, the real server with
production limits, load from a separate process, answers checked against raw SQL
before they are timed, and a raw-SQL floor beside each figure.
"""
