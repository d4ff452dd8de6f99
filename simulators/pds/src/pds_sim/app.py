"""The PDS simulator's ASGI application."""

import logging

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from pds_sim.auth import TokenError, TokenIssuer
from pds_sim.config import Settings
from pds_sim.patient_api import PatientService, patient_router
from pds_sim.patients import PatientIndex
from sim_common.fault_windows import fault_router
from sim_common.rate_limit import RateLimiter
from sim_common.stats import stats_router

#: Where the FHIR API lives, as on api.service.nhs.uk; clients are configured with this base URL.
FHIR_BASE_PATH = "/personal-demographics/FHIR/R4"

log = logging.getLogger("pds_sim")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    index = PatientIndex.from_ndjson(settings.patients) if settings.patients else PatientIndex([])
    if not index and not settings.synthetic:
        log.warning("no patients loaded and synthetic mode off: every lookup will be a 404")
    issuer = _token_issuer(settings)
    service = PatientService(
        index=index,
        synthetic=settings.synthetic,
        issuer=issuer,
        limiter=RateLimiter(settings.rate_limit),
        latency_s=settings.latency_ms / 1000,
        error_rate=settings.error_rate,
    )
    app = FastAPI(title="PDS FHIR simulator", docs_url=None, redoc_url=None)
    app.include_router(patient_router(service), prefix=FHIR_BASE_PATH)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(stats_router(service.stats.as_dict, service.stats.reset))
    app.include_router(fault_router(service.faults))
    _add_patient_control(app, index)

    if issuer is not None:

        @app.post("/oauth2/token")
        async def token(request: Request) -> Response:
            form = await request.form()
            fields = {name: value for name, value in form.items() if isinstance(value, str)}
            try:
                return JSONResponse(issuer.issue(fields))
            except TokenError as error:
                return error.response()

    return app


def _add_patient_control(app: FastAPI, index: PatientIndex) -> None:
    @app.put("/_sim/patients/{nhs_number}")
    async def put_patient(nhs_number: str, request: Request) -> Response:
        """Test control: replace (or add) one patient, as PDS would change between calls."""
        resource = await request.json()
        if not isinstance(resource, dict) or resource.get("id") != nhs_number:
            return JSONResponse({"error": "body must be a Patient whose id is the path's"}, 400)
        try:
            index.put(resource)
        except ValueError as error:
            return JSONResponse({"error": str(error)}, 400)
        return Response(status_code=204)


def _token_issuer(settings: Settings) -> TokenIssuer | None:
    if not settings.auth:
        return None
    if settings.public_key_path is None:
        raise ValueError("PDS_SIM_AUTH=1 needs PDS_SIM_PUBLIC_KEY_PATH (a PEM RSA public key)")
    return TokenIssuer.from_pem_file(
        settings.public_key_path, settings.token_audience, settings.token_ttl_seconds
    )
