"""The base of the errors the stand-in raises where a MongoDB server would refuse a request."""


class ServerError(Exception):
    """A request the server would refuse: its error code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
