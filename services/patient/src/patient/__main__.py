"""``python -m patient``: serve the patient pages with uvicorn."""

from cohort_http.serving import serve

from .app import create_app
from .config import PatientSettings


def main() -> None:
    settings = PatientSettings()
    serve("patient", lambda: create_app(settings), settings)


if __name__ == "__main__":
    main()
