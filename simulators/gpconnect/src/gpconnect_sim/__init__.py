"""A GP practice's GP Connect Appointment Management API (FHIR STU3), for development and tests."""
