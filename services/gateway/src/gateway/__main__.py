"""``python -m gateway``: serve the API with uvicorn."""

import uvicorn

from .adapters.organisations_file import OrganisationsInvalid
from .bootstrap import load_organisations
from .config import GatewaySettings
from .entrypoints.app import create_app


def main() -> None:
    settings = GatewaySettings()
    try:
        # Checked before serving: a bad membership file must stop the gateway, not let it run
        # with the wrong idea of who may see what.
        load_organisations(settings)
    except OrganisationsInvalid as exc:
        raise SystemExit(f"gateway: GATEWAY_ORGANISATIONS_FILE: {exc}") from None
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        # Event streams never end by themselves; without this a stop would wait for them.
        timeout_graceful_shutdown=settings.shutdown_grace_s,
    )


if __name__ == "__main__":
    main()
