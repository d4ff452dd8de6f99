"""Bearer tokens for PDS. Only a static token for now; see ``ports.AccessTokenProvider``."""

from pydantic import SecretStr


class StaticTokenProvider:
    """A token set by configuration (e.g. a long-lived test token). The signed-JWT
    client-credentials provider will replace it behind the same port."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    async def access_token(self) -> str:
        return self._token.get_secret_value()
