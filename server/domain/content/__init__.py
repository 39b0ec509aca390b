"""Content requests (SPEC §2.8): sales asks, marketing commits and delivers.

Pure rules: the status machine (`lifecycle`), what an input may hold
(`inputs`), and how dates are judged (`timing`).
"""
