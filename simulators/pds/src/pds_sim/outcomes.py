"""FHIR OperationOutcome error responses, shaped as the PDS proxy and back end send them."""

import json
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Response

FHIR_JSON = "application/fhir+json"
# Errors raised by the Apigee proxy itself (401, 429, catch-all 500) are plain JSON, not FHIR JSON.
PROXY_JSON = "application/json"
SPINE_SYSTEM = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode"


@dataclass(frozen=True)
class Problem:
    status: int
    spine_code: str
    display: str
    fhir_code: str
    severity: str = "error"
    media_type: str = FHIR_JSON

    def response(self, diagnostics: str, headers: Mapping[str, str]) -> Response:
        body = {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": self.severity,
                    "code": self.fhir_code,
                    "details": {
                        "coding": [
                            {
                                "system": SPINE_SYSTEM,
                                "version": "1",
                                "code": self.spine_code,
                                "display": self.display,
                            }
                        ]
                    },
                    "diagnostics": diagnostics,
                }
            ],
        }
        return Response(
            content=json.dumps(body),
            status_code=self.status,
            media_type=self.media_type,
            headers=dict(headers),
        )


# Codes, displays and diagnostics from reference/pds.md section 3 and the proxy policies it cites.
MISSING_VALUE = Problem(400, "MISSING_VALUE", "Required value is missing", "required")
INVALID_VALUE = Problem(400, "INVALID_VALUE", "Provided value is invalid", "value")
INVALID_RESOURCE_ID = Problem(400, "INVALID_RESOURCE_ID", "Resource Id is invalid", "value")
RESOURCE_NOT_FOUND = Problem(
    404, "RESOURCE_NOT_FOUND", "Resource not found", "not-found", severity="information"
)
ACCESS_DENIED = Problem(
    401, "ACCESS_DENIED", "Access Denied - Unauthorised", "forbidden", media_type=PROXY_JSON
)
TOO_MANY_REQUESTS = Problem(
    429, "TOO_MANY_REQUESTS", "Too many requests", "value", media_type=PROXY_JSON
)
UNKNOWN_ERROR = Problem(500, "UNKNOWN_ERROR", "Unknown Error", "unknown", media_type=PROXY_JSON)

RATE_LIMITED_DIAGNOSTICS = (
    "This API is currently receiving a high volume of requests and is being rate limited. "
    "Please see: https://digital.nhs.uk/developer/guides-and-documentation/reference-guide"
    "#rate-limits for more details."
)
