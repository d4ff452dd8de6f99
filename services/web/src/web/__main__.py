"""``python -m web``: serve the staff web app with uvicorn."""

from cohort_http.serving import serve

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
    serve(
        "web",
        lambda: create_app(settings),
        settings,
        # Live progress streams never end by themselves; without this a stop waits for them.
        graceful_shutdown_s=settings.shutdown_grace_s,
    )


if __name__ == "__main__":
    main()
