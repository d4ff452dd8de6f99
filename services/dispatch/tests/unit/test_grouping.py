"""Which requests carry which messages: identical texts together, 50 at most, a number once."""

from cohort_contracts.sending import OutboundMessage
from cohort_nhs import international_digits
from dispatch.domain.grouping import (
    ProviderRequest,
    group_identical,
    is_group_reference,
    new_group_reference,
)

from ..builders import make_outbound, mobile


def sizes(requests: list[ProviderRequest]) -> list[int]:
    return [len(r.messages) for r in requests]


def plan(messages: list[OutboundMessage], max_size: int = 50) -> list[ProviderRequest]:
    return group_identical(messages, number_of=international_digits, max_size=max_size)


def test_identical_texts_share_one_request_and_a_group_reference() -> None:
    messages = [make_outbound(f"r{i}", to=mobile(i), body="Same") for i in range(5)]

    (request,) = plan(messages)

    assert request.messages == tuple(messages)
    assert request.is_group
    assert is_group_reference(request.reference)
    assert len(request.reference) == 34  # "g-" and a uuid4 in hex


def test_more_than_fifty_identical_texts_are_split_into_requests_of_fifty() -> None:
    messages = [make_outbound(f"r{i}", to=mobile(i), body="Same") for i in range(120)]

    requests = plan(messages)

    assert sizes(requests) == [50, 50, 20]
    assert len({r.reference for r in requests}) == 3
    assert [m for r in requests for m in r.messages] == messages


def test_a_lone_message_uses_its_recipient_id_as_the_reference() -> None:
    messages = [make_outbound(f"r{i}", to=mobile(i), body="Same") for i in range(51)]

    requests = plan(messages)

    assert sizes(requests) == [50, 1]
    assert requests[1].reference == "r50"
    assert not requests[1].is_group


def test_mixed_texts_form_one_group_per_text_in_first_seen_order() -> None:
    bodies = ["A", "B", "A", "C", "B", "A"]
    messages = [make_outbound(f"r{i}", to=mobile(i), body=b) for i, b in enumerate(bodies)]

    requests = plan(messages)

    assert [[m.recipient_id for m in r.messages] for r in requests] == [
        ["r0", "r2", "r5"],
        ["r1", "r4"],
        ["r3"],
    ]
    assert requests[2].reference == "r3"


def test_a_number_appears_once_per_request_so_receipts_can_be_told_apart() -> None:
    shared = [
        make_outbound("r0", to="447700900001", body="Same"),
        make_outbound("r1", to="07700 900001", body="Same"),  # the same phone, written locally
        make_outbound("r2", to="447700900002", body="Same"),
    ]

    requests = plan(shared)

    assert [[m.recipient_id for m in r.messages] for r in requests] == [["r0", "r2"], ["r1"]]


def test_a_number_that_cannot_be_read_goes_alone() -> None:
    messages = [
        make_outbound("r0", to=mobile(0), body="Same"),
        make_outbound("r1", to="not a number", body="Same"),
        make_outbound("r2", to=mobile(2), body="Same"),
    ]

    requests = plan(messages)

    assert [[m.recipient_id for m in r.messages] for r in requests] == [["r0", "r2"], ["r1"]]


def test_a_group_size_of_one_turns_grouping_off() -> None:
    messages = [make_outbound(f"r{i}", to=mobile(i), body="Same") for i in range(3)]

    assert [r.reference for r in plan(messages, max_size=1)] == ["r0", "r1", "r2"]


def test_group_references_are_unique() -> None:
    assert len({new_group_reference() for _ in range(1000)}) == 1000
