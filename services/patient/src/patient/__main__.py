"""``python -m patient``: serve the patient pages with uvicorn."""

import uvicorn

from cohort_http.json_logs import configure_logging

from .app import create_app
from .config import PatientSettings


def main() -> None:
    settings = PatientSettings()
    configure_logging("patient", settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
