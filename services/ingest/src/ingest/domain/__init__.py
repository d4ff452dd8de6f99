"""Ingest's domain: row validation, the PDS Patient as we read it, eligibility. Pure and sync."""
