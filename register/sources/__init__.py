"""Mappings from other registers' formats (Algoritmeregister, publicatiestandaard, station lists) to ours."""
