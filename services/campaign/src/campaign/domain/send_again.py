"""Sending a campaign again to the patients it did not reach: which failures another try may
get past, when a campaign may be sent again, the campaign that does it, and the patient list
rows its patients become. The rows are checked against PDS again, as an uploaded list's are,
so a patient whose number changed since is messaged at the new one."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from cohort_contracts.ingest import UploadedRow
from cohort_contracts.vocabulary import CampaignStatus, Channel, SendReason

from .failed_numbers import PERMANENCE_DECIDES
from .model import Campaign, Recipient

#: Failures that say nothing against the number or the message: the phone was off, out of
#: signal, busy or full; the network failed or gave no reason; the provider could not take
#: it. (A number the network does not know, a landline or a refused message would fail
#: again; a credit or account problem pauses the campaign instead of failing anyone.)
TRY_AGAIN: frozenset[SendReason] = frozenset(
    {
        SendReason.PHONE_NOT_REACHABLE,
        SendReason.NETWORK_ERROR,
        SendReason.DECLINED,
        SendReason.PROVIDER_UNAVAILABLE,
    }
)


@dataclass(frozen=True)
class TryAgainRule:
    """Which failures another try may get past: any of ``reasons``, and any of
    ``if_temporary`` that the provider said was not permanent (``failure_permanent`` False;
    None, not said, is not taken). The recipients store's send-again query applies the same
    rule (``SendAgainSource``)."""

    reasons: frozenset[str]
    if_temporary: frozenset[str] = frozenset()

    def allows(self, reason_code: str | None, failure_permanent: bool | None) -> bool:
        if reason_code in self.reasons:
            return True
        return reason_code in self.if_temporary and failure_permanent is False


#: The failures a send-again takes recipients for (as stored: reason code values).
SEND_AGAIN_RULE = TryAgainRule(
    reasons=frozenset(r.value for r in TRY_AGAIN),
    # Taken only when the provider said the failure was not permanent: one whose flag is not
    # known cannot be told from a landline.
    if_temporary=frozenset(r.value for r in PERMANENCE_DECIDES),
)


#: The columns of a send-again list, as its unsuccessful-rows CSV shows them.
COLUMNS = ["NHS number", "Date of birth", "First name", "Last name"]

#: Rows per ``ResolveRows`` command, as the gateway batches an upload.
BATCH_ROWS = 200


def cannot_send_again_because(campaign: Campaign, patients: int) -> str | None:
    """Why ``campaign`` cannot be sent again now, in staff's words; None if it can."""
    if campaign.status is not CampaignStatus.COMPLETED:
        return "A campaign can be sent again once it has finished sending."
    if patients == 0:
        return "There is nobody to send it again to: every patient it could reach again has been."
    return None


def follow_up(source: Campaign, *, id: uuid.UUID, name: str, actor: str, now: datetime) -> Campaign:
    """A new draft with ``source``'s type, settings and message (and the template it came
    from), remembering which campaign it follows up."""
    return Campaign(
        id=id,
        org_id=source.org_id,
        name=name,
        type=source.type,
        created_by=actor,
        created_at=now,
        message=None if source.message is None else replace(source.message),
        allow_replies=source.allow_replies,
        booking=source.booking,
        questionnaire=source.questionnaire,
        link_expiry_days=source.link_expiry_days,
        template_id=source.template_id,
        template_version=source.template_version,
        follows_up=source.id,
    )


def list_id_for(campaign_id: uuid.UUID, channel: Channel) -> uuid.UUID:
    """The send-again campaign's list of ``channel``: named by the campaign, so a repeated
    request registers the same list."""
    return uuid.uuid5(campaign_id, f"send-again:{channel}")


def list_rows(recipients: Iterable[Recipient]) -> dict[Channel, list[UploadedRow]]:
    """Each channel's rows, in the order given. A date of birth PDS gave only in part is left
    empty: the row then fails as MISSING_DATE_OF_BIRTH, for staff to upload from their system."""
    rows: dict[Channel, list[UploadedRow]] = {}
    for r in recipients:
        born = "" if r.birth_date is None else f"{r.birth_date:%d/%m/%Y}"
        channel_rows = rows.setdefault(r.channel, [])
        channel_rows.append(
            UploadedRow(
                row_number=len(channel_rows) + 1,
                nhs_number=r.nhs_number,
                date_of_birth=born,
                cells=[r.nhs_number, born, r.given_name, r.family_name],
            )
        )
    return rows
