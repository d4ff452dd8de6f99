"""``python -m dispatch``: run the dispatch worker (host and port from DISPATCH_HOST/PORT)."""

import uvicorn

from .config import Settings
from .entrypoints.app import create_app


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
