"""What a pure ASGI middleware learns of the response it passes on: its status, and the route
template the request matched."""

from starlette.types import Message, Scope, Send


class NotedStatus:
    """Passes an app's messages on to ``send``, noting the response's status: 500 until a
    response starts (an exception escaped before one did)."""

    def __init__(self, send: Send) -> None:
        self.status = 500
        self._send = send

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        await self._send(message)


def route_template(scope: Scope) -> str | None:
    """The matched route's template (``/v1/campaigns/{campaign_id}``), which the router put into
    the scope; never the raw path, which carries ids. None: no route matched."""
    route: str | None = getattr(scope.get("route"), "path", None)
    return route
