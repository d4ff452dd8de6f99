"""``python -m record``: run the record service (host and port from RECORD_HOST/PORT)."""

import uvicorn

from .config import RecordSettings
from .entrypoints.app import create_app


def main() -> None:
    settings = RecordSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
