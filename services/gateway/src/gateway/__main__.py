"""``python -m gateway``: serve the API with uvicorn."""

import uvicorn

from .config import GatewaySettings
from .entrypoints.app import create_app


def main() -> None:
    settings = GatewaySettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
