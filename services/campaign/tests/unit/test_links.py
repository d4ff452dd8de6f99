"""Patients' links: signed tokens, and opening them."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from campaign.domain.errors import Gone, NotFound
from campaign.domain.links import LinkSigner, expiry_day
from campaign.handlers import links
from campaign.handlers.deps import Deps
from campaign.ports.recipients import Move
from cohort_contracts.campaign_requests import ResolveLink
from cohort_contracts.campaign_views import LinkView
from cohort_contracts.vocabulary import RecipientStatus

from ..builders import LINK_BASE, LINK_SECRET, ORG
from .helpers import req
from .messaging import BOOKING, add_patients, compose, create, review_of, send

SIGNER = LinkSigner(LINK_SECRET, LINK_BASE)
CAMPAIGN = uuid.uuid4()
RECIPIENT = uuid.uuid4().hex
DAY = date(2030, 5, 8)


def test_a_token_names_its_organisation_recipient_and_expiry() -> None:
    token = SIGNER.token(ORG, CAMPAIGN, RECIPIENT, DAY)
    assert token.startswith(f"{ORG}.")
    claim = SIGNER.read(token)
    assert claim is not None
    assert (claim.org_id, claim.recipient_id, claim.expires_on) == (ORG, RECIPIENT, DAY)
    assert claim.expires_at == datetime(2030, 5, 9, tzinfo=UTC)
    assert SIGNER.verify(token, CAMPAIGN)


def test_tokens_are_short_and_made_of_gsm_characters() -> None:
    token = SIGNER.token(ORG, CAMPAIGN, RECIPIENT, DAY)
    assert len(token) == len(ORG) + 1 + 24 + 1 + 22
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in token)


def test_the_same_inputs_give_the_same_link() -> None:
    assert SIGNER.url(ORG, CAMPAIGN, RECIPIENT, DAY) == SIGNER.url(ORG, CAMPAIGN, RECIPIENT, DAY)
    assert SIGNER.url(ORG, CAMPAIGN, RECIPIENT, DAY).startswith(LINK_BASE + ORG + ".")


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def test_altered_or_foreign_tokens_do_not_verify() -> None:
    token = SIGNER.token(ORG, CAMPAIGN, RECIPIENT, DAY)
    ods, payload, signature = token.split(".")
    assert not SIGNER.verify(f"{ods}.{_flip(payload, 3)}.{signature}", CAMPAIGN)
    assert not SIGNER.verify(f"{ods}.{payload}.{_flip(signature, 0)}", CAMPAIGN)
    assert not SIGNER.verify(f"B82002.{payload}.{signature}", CAMPAIGN)
    assert not SIGNER.verify(token, uuid.uuid4())  # bound to its campaign
    other_key = LinkSigner(b"another-secret", LINK_BASE)
    assert not other_key.verify(token, CAMPAIGN)


@pytest.mark.parametrize(
    "token",
    ["", "A81001", "A81001.abc", "a81001.AAAA.AAAA", "A81001.!!!!.AAAA", "A81001.AAAA.AAAA.AAAA"],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert SIGNER.read(token) is None
    assert not SIGNER.verify(token, CAMPAIGN)


def test_a_link_sent_on_a_day_works_for_that_many_days_after_it() -> None:
    assert expiry_day(date(2030, 5, 1), 7) == date(2030, 5, 8)


async def _sent_booking(deps: Deps) -> tuple[uuid.UUID, str, str]:
    """A sent booking campaign with one recipient; returns (campaign, recipient, token)."""
    campaign = await create(deps, "booking")
    await add_patients(deps, campaign.id, [("Ann", "Jones")])
    await compose(deps, campaign.id, "Dear ((first_name)), your flu jab is due.")
    review = await review_of(deps, campaign.id)
    await send(deps, campaign.id, 1)
    preview = review.previews[0]
    url = preview.body.rsplit(" ", 1)[-1]
    return campaign.id, preview.recipient_id, url.removeprefix(LINK_BASE)


async def _resolve(deps: Deps, token: str, org: str = ORG) -> LinkView:
    return await links.resolve_link(req(ResolveLink, org_id=org, token=token), deps)


async def test_opening_a_link_says_what_it_is_for_and_records_the_first_opening(
    deps: Deps,
) -> None:
    campaign_id, recipient_id, token = await _sent_booking(deps)
    sent = [Move(recipient_id, RecipientStatus.QUEUED), Move(recipient_id, RecipientStatus.SENDING)]
    await deps.recipients.apply(ORG, sent)

    view = await _resolve(deps, token)
    assert (view.campaign_id, view.org_id, view.type) == (campaign_id, ORG, "booking")
    assert view.booking == BOOKING
    assert view.patient_reference == recipient_id
    assert view.expires_at.date() == datetime.now(UTC).date() + timedelta(days=8)
    first = await deps.recipient_messages.get(ORG, recipient_id)
    assert first is not None
    assert first.link_opened_at is not None

    await _resolve(deps, token)
    again = await deps.recipient_messages.get(ORG, recipient_id)
    assert again is not None
    assert again.link_opened_at == first.link_opened_at


async def test_a_link_opened_before_the_message_went_out_is_not_a_patient_opening(
    deps: Deps,
) -> None:
    _, recipient_id, token = await _sent_booking(deps)  # sent, but still waiting to be released
    await _resolve(deps, token)
    recipient = await deps.recipient_messages.get(ORG, recipient_id)
    assert recipient is not None
    assert recipient.link_opened_at is None


async def test_an_expired_link_is_gone(deps: Deps) -> None:
    campaign_id, recipient_id, _ = await _sent_booking(deps)
    old = SIGNER.token(ORG, campaign_id, recipient_id, date(2020, 1, 1))
    with pytest.raises(Gone):
        await _resolve(deps, old)


async def test_forged_altered_or_unknown_links_are_not_found(deps: Deps) -> None:
    campaign_id, recipient_id, token = await _sent_booking(deps)
    forger = LinkSigner(b"guessed-secret", LINK_BASE)
    ods, payload, signature = token.split(".")
    for bad in (
        forger.token(ORG, campaign_id, recipient_id, DAY),
        SIGNER.token(ORG, campaign_id, uuid.uuid4().hex, DAY),
        f"{ods}.{payload}.{_flip(signature, 2)}",
        "A81001.not-a-real-token",
    ):
        with pytest.raises(NotFound):
            await _resolve(deps, bad)
    with pytest.raises(NotFound):  # asked for as another organisation's link
        await _resolve(deps, token, org="B82002")


def test_only_the_canonical_spelling_of_a_signature_verifies() -> None:
    token = SIGNER.token(ORG, CAMPAIGN, RECIPIENT, DAY)
    head, signature = token.rsplit(".", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # 16 bytes in 22 characters leave 4 spare bits in the last one.
    variants = {f"{head}.{signature[:-1]}{c}" for c in alphabet} - {token}
    assert not any(SIGNER.verify(v, CAMPAIGN) for v in variants)
