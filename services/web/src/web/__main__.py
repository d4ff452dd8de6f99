"""``python -m web``: serve the staff web app with uvicorn."""

import uvicorn

from cohort_http.json_logs import configure_logging

from .app import create_app
from .config import WebSettings
from .users import load_users


def main() -> None:
    settings = WebSettings()
    if settings.dev_sign_in:
        try:
            load_users(settings.users_file)
        except ValueError as exc:
            raise SystemExit(f"web: WEB_USERS_FILE: {exc}") from None
    configure_logging("web", settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        # Live progress streams never end by themselves; without this a stop waits for them.
        timeout_graceful_shutdown=settings.shutdown_grace_s,
    )


if __name__ == "__main__":
    main()
