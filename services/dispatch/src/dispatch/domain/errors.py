"""What can go wrong handing one message to a provider (STYLE: adapters translate every failure
into one of these; anything else escaping an adapter is a bug and crashes the batch).

Every error carries the plain-English reason staff will see if it becomes the final word. No
error text may contain patient data: adapters build them from codes only."""

from cohort_contracts.vocabulary import SendReason


class SendError(Exception):
    def __init__(self, reason: str, *, reason_code: SendReason | None = None) -> None:
        super().__init__(reason_code or type(self).__name__)
        self.reason = reason
        self.reason_code = reason_code


class RetryableSendError(SendError):
    """The provider certainly did not take the message (it was never sent, or the provider
    answered that it did not queue it), so trying again cannot message the patient twice."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, reason_code=SendReason.PROVIDER_UNAVAILABLE)


class PermanentSendError(SendError):
    """The provider refused this message; sending it again would be refused again."""

    def __init__(self, reason: str, *, reason_code: SendReason) -> None:
        super().__init__(reason, reason_code=reason_code)


class ProviderConfigurationError(PermanentSendError):
    """The provider refused *us* (credentials, sender id, receipt URL, credit), so every message
    would fail until an operator acts: sending is blocked and the campaign pauses instead.
    ``reason`` is written for the campaign's staff; ``provider_code`` is the provider's own
    code, for logs."""

    def __init__(
        self,
        reason: str,
        *,
        provider_code: str,
        reason_code: SendReason = SendReason.PROVIDER_CONFIGURATION_ERROR,
    ) -> None:
        super().__init__(reason, reason_code=reason_code)
        self.provider_code = provider_code


class OutcomeUnknownError(SendError):
    """The request may have reached the provider (a read timeout, or the connection dropped after
    the request was written). Sending again could message the patient twice, so never retry:
    the provider's receipt, or its absence, settles it."""


class CreditUnavailable(Exception):
    """The provider's credit balance could not be read (unreachable, or it refused us)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
