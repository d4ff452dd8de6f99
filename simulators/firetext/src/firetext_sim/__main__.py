"""``python -m firetext_sim``: serve the simulator on FIRETEXT_SIM_HOST:FIRETEXT_SIM_PORT."""

import uvicorn

from firetext_sim.app import create_app
from firetext_sim.config import Settings


def main() -> None:
    settings = Settings()
    # No access log: GET sends carry the API key, numbers and message text in the query string.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
