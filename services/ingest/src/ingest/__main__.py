import uvicorn

from .config import IngestSettings
from .entrypoints.app import create_app


def main() -> None:
    settings = IngestSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
