"""Benchmarks for the register: a synthetic national database, near-me timings and seed timings."""
