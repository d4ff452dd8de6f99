"""``python -m pds_sim``: serve the simulator on PDS_SIM_HOST:PDS_SIM_PORT."""

import uvicorn

from pds_sim.app import create_app
from pds_sim.config import Settings


def main() -> None:
    settings = Settings()
    # No access log: request lines carry NHS numbers.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
