"""A PDS FHIR R4 simulator: ``GET /Patient/{nhs_number}`` shaped as NHS England's PDS answers it."""
