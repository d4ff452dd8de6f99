"""``python -m <simulator>``: serve an app quietly."""

import uvicorn
from starlette.applications import Starlette


def serve(app: Starlette, host: str, port: int) -> None:
    """No access log: the simulated APIs carry NHS numbers, phone numbers, message text and
    API keys in their request lines."""
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
