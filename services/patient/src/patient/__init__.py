"""The patient-facing pages of a booking or questionnaire link."""
