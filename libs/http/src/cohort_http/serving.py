"""``python -m web`` and ``python -m patient``: JSON logs, then uvicorn."""

from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

from cohort_platform.json_logs import JsonFormatter, log_json_to_stdout

from .page_settings import PageAppSettings


def serve(
    service: str,
    make_app: Callable[[], ASGIApp],
    settings: PageAppSettings,
    *,
    graceful_shutdown_s: int | None = None,
) -> None:
    """The logs are set up before the app is made, so that what it logs as it starts is JSON
    too (the services' lines, without a trace: ``cohort_platform.json_logs``, pure Python);
    uvicorn's own logging stays off (``json_logs`` says why)."""
    log_json_to_stdout(JsonFormatter(service), settings.log_level)
    uvicorn.run(
        make_app(),
        host=settings.host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=graceful_shutdown_s,
    )
