"""What can go wrong in a campaign, as the domain sees it; entrypoints map these to replies."""


class CampaignError(Exception):
    code = "invalid"

    def __init__(self, message: str, **details: str | int | list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(CampaignError):
    code = "not_found"


class Conflict(CampaignError):
    """The request is well formed but the campaign's state does not allow it."""

    code = "conflict"


class Forbidden(CampaignError):
    """Allowed to nobody in this role, e.g. approving one's own campaign."""

    code = "forbidden"


class InvalidMessage(CampaignError):
    code = "invalid"


class Gone(CampaignError):
    """It existed but is no longer usable (an expired link)."""

    code = "gone"
