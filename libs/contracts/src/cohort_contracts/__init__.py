"""Cohort's service contracts: every message that crosses a service boundary, and its names."""
