"""Benchmarks that run the real services as processes (issue 3); not tests."""
