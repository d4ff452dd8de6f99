"""How a MESH call failed, in the terms the handlers act on (adapters translate to these)."""


class SendError(Exception):
    """``detail`` is a code a person can look up (``MESH 12``, ``HTTP 503``): never patient data."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RetryableSendError(SendError):
    """MESH was unreachable or busy (connection error, timeout, 429, 5xx): try again later. The
    request may have reached MESH, so the next attempt first asks whether it did."""


class PermanentSendError(SendError):
    """MESH refused the message (unregistered recipient, workflow not allowed, bad request):
    every attempt would fail the same way."""


class TrackingUnavailable(Exception):
    """MESH no longer answers tracking by local id (deprecated in the MESH API): whether an
    earlier attempt reached MESH cannot be asked, so the send goes ahead (a receiver answers a
    duplicate with ITK 20007/20008)."""


class MeshUnavailable(Exception):
    """A read from MESH (inbox, tracking) failed; the poller tries again next round."""
