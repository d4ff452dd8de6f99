"""``python -m gpconnect_sim``: GP Connect Appointment Management for development and tests."""

from sim_common.serving import serve

from .app import create_app
from .config import Settings


def main() -> None:
    settings = Settings()
    serve(create_app(settings), settings.host, settings.port)


if __name__ == "__main__":
    main()
