"""Numbers not worth texting: the organisation's last text to a mobile number failed in a way
another text would too (Accurx blocks numbers that failed last time). Texting it again costs
credits, tells staff nothing new, and hides that the patient needs contacting another way; the
row fails at upload instead, with what to do (``NUMBER_FAILED_BEFORE``).

Only the latest outcome counts: a text delivered to the number since shows it works now (a
number the network did not know may have been issued to the patient since)."""

from dataclasses import dataclass

from cohort_contracts.vocabulary import RecipientStatus, SendReason

#: Failures that say the number itself will not take a text, whatever the provider adds.
NUMBER_FAILURES: frozenset[str] = frozenset(
    {
        SendReason.UNKNOWN_SUBSCRIBER,
        SendReason.INVALID_NUMBER,
        SendReason.PROVIDER_REJECTED_NUMBER,
    }
)

#: Failures whose reason code alone cannot say whether another text would fail too: Firetext
#: reports a landline (301, it would) and a phone that could not take a text at the time (302,
#: it may not) with the same code. Only the provider's ``failure_permanent`` tells them apart
#: (None, not said: a failure recorded before the flag was carried).
PERMANENCE_DECIDES: frozenset[SendReason] = frozenset({SendReason.SMS_NOT_SUPPORTED})


@dataclass(frozen=True)
class LastText:
    """The organisation's latest settled text to a number: delivered or failed, and why."""

    status: str
    reason_code: str | None
    failure_permanent: bool | None


def will_fail_again(last: LastText) -> bool:
    if last.status != RecipientStatus.FAILED:
        return False
    if last.reason_code in NUMBER_FAILURES:
        return True
    return last.reason_code in PERMANENCE_DECIDES and last.failure_permanent is True
