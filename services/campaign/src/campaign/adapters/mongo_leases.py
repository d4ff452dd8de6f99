"""Leases (``cohort_mongo.MongoLeases``): whoever holds one does the work it names."""

from cohort_mongo import MongoLeases

__all__ = ["MongoLeases"]
