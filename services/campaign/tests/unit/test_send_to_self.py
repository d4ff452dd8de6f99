"""Test sends: the real rendering, to the member of staff's own phone or inbox."""

from typing import Any

import pytest

from campaign.domain.errors import Conflict, InvalidMessage
from campaign.handlers import send_to_self
from campaign.handlers.deps import Deps

# Imported as modules: pytest would try to collect classes named Test* in this namespace.
from cohort_contracts import campaign_requests as requests
from cohort_contracts import campaign_views as views

from ..builders import LINK_BASE, PRACTICE_NAME
from ..fakes import FakePublisher
from .helpers import released, req
from .messaging import add_patients, compose, create, review_of


async def _test_send(deps: Deps, campaign_id: Any, **fields: Any) -> views.TestSendResult:
    fields = {"channel": "sms", "to": "07700 900123", **fields}
    return await send_to_self.send_test(
        req(requests.TestSend, campaign_id=campaign_id, **fields), deps
    )


async def test_a_test_send_is_the_first_recipients_message_sent_to_staff(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign = await create(deps, "booking")
    await add_patients(deps, campaign.id, [("Ann", "Jones"), ("Bob", "Hill")])
    await compose(deps, campaign.id, "Dear ((first_name)), from ((practice_name)).")
    review = await review_of(deps, campaign.id)

    result = await _test_send(deps, campaign.id)
    assert result.to == "447700900123"
    assert result.body == review.previews[0].body
    assert result.body.startswith(f"Dear Ann, from {PRACTICE_NAME}.")
    assert result.fragments == review.previews[0].fragments

    [command] = released(publisher)
    assert command.test
    assert command.campaign_id == campaign.id
    [message] = command.messages
    assert message.recipient_id.startswith("test-")
    assert (message.to, message.body) == ("447700900123", result.body)
    assert await deps.recipients.counts(campaign.id) == {"ready": 2}  # nobody was claimed


async def test_with_nobody_uploaded_the_sample_patient_is_used(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign = await create(deps, "questionnaire")
    await compose(deps, campaign.id, "Dear ((first_name)) ((last_name))")
    result = await _test_send(deps, campaign.id, channel="email", to=" me@example.nhs.uk ")
    assert result.to == "me@example.nhs.uk"
    assert result.body.startswith("Dear Jane Example\n\nPlease complete")
    assert LINK_BASE in result.body
    assert result.fragments == 0
    assert released(publisher)[0].channel == "email"


@pytest.mark.parametrize(
    ("channel", "to"),
    [("sms", "01632 960123"), ("sms", "+33 6 12 34 56 78"), ("sms", "hello"), ("email", "me@")],
)
async def test_an_address_that_cannot_be_sent_to_is_refused(
    deps: Deps, publisher: FakePublisher, channel: str, to: str
) -> None:
    campaign = await create(deps)
    await compose(deps, campaign.id, "Hello")
    with pytest.raises(InvalidMessage) as refused:
        await _test_send(deps, campaign.id, channel=channel, to=to)
    assert refused.value.details == {"field": "to"}
    assert publisher.published == []


async def test_a_test_needs_a_message(deps: Deps) -> None:
    campaign = await create(deps)
    with pytest.raises(Conflict):
        await _test_send(deps, campaign.id)


async def test_a_repeated_request_publishes_the_same_command(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign = await create(deps)
    await compose(deps, campaign.id, "Hello")
    request = req(requests.TestSend, campaign_id=campaign.id, channel="sms", to="447700900456")
    await send_to_self.send_test(request, deps)
    await send_to_self.send_test(request, deps)
    first, again = released(publisher)
    assert first.message_id == again.message_id
    assert first.messages == again.messages
