"""Each recipient's message exactly as it is sent: placeholders filled, the practice's name, and
for booking and questionnaire campaigns the recipient's own link with its call to action.

The review, the test send and the release all render through ``MessageRenderer.render``, so
what staff review is what patients receive, link included."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from .errors import Conflict
from .links import LinkSigner, expiry_day
from .model import Campaign, Recipient
from .rendering import DEFAULT_PRACTICE_NAME, Personalisation, placeholders, render


@dataclass(frozen=True)
class RenderedMessage:
    body: str
    subject: str | None = None


def call_to_action(campaign: Campaign, link: str) -> str:
    if campaign.booking is not None:
        return f"Book your {campaign.booking.appointment_type_display} appointment: {link}"
    if campaign.questionnaire is not None:
        return f"Please complete {campaign.questionnaire.title}: {link}"
    return link


class MessageRenderer:
    def __init__(self, links: LinkSigner, practice_names: Mapping[str, str]) -> None:
        self.links = links
        self._practice_names = dict(practice_names)

    def practice_name(self, org_id: str) -> str:
        return self._practice_names.get(org_id, DEFAULT_PRACTICE_NAME)

    def link(self, campaign: Campaign, recipient_id: str, today: date | None = None) -> str | None:
        """The recipient's link: before sending, as it would be if sent ``today``; once sent,
        fixed by the day sending started."""
        if campaign.type == "basic":
            return None
        sent_on = campaign.sent_at.date() if campaign.sent_at else today or _today()
        expires_on = expiry_day(sent_on, campaign.link_expiry_days)
        return self.links.url(campaign.org_id, campaign.id, recipient_id, expires_on)

    def render(
        self,
        campaign: Campaign,
        recipient_id: str,
        first_name: str,
        last_name: str,
        today: date | None = None,
    ) -> RenderedMessage:
        if campaign.message is None:
            raise Conflict("Write the message first.")
        link = self.link(campaign, recipient_id, today)
        who = Personalisation(
            first_name, last_name, self.practice_name(campaign.org_id), link=link or ""
        )
        body = render(campaign.message.body, who)
        if link is not None and "link" not in placeholders(campaign.message.body):
            # Staff never write the link: it goes at the end with its call to action, unless
            # they placed ((link)) themselves.
            body = f"{body.rstrip()}\n\n{call_to_action(campaign, link)}"
        subject = campaign.message.subject
        return RenderedMessage(body, None if subject is None else render(subject, who))

    def render_for(
        self, campaign: Campaign, recipient: Recipient, today: date | None = None
    ) -> RenderedMessage:
        return self.render(
            campaign, recipient.id, recipient.given_name, recipient.family_name, today
        )


def _today() -> date:
    return datetime.now(UTC).date()
