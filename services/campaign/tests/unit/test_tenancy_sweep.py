"""The tenancy sweep on campaign's side, through ``requests.answer`` over every request kind
campaign answers: the gateway's sweep (services/gateway/tests/unit/test_tenancy.py) runs against
a fake campaign, so it proves the gateway passes the caller's scope, not that campaign's stores
honour it. Here each staff request naming one of a practice's things is made by strangers (a
practice of another network, a network that is not the owner's, the owner's network acting for
another member) and by the owner: strangers get ``not_found`` and change nothing; the owner's
same request is never ``not_found``, so the stranger's refusal comes from the scope alone.
Second reads too: a stranger naming its own campaign with the owner's list, patient or
template. A new request kind fails ``test_every_request_kind_is_swept_or_explained``."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from campaign.adapters.mongo_database import MongoHandle
from campaign.handlers import campaigns, suppressions, templates
from campaign.handlers.deps import Deps
from campaign.handlers.requests import HANDLERS, answer
from cohort_contracts import campaign_requests as requests
from cohort_contracts import opt_out
from cohort_contracts import patient_links as patient
from cohort_contracts.campaign_requests import CampaignRequest, RpcReply
from cohort_contracts.envelope import Request

from ..builders import ORG
from ..fakes import FakePublisher
from .helpers import campaign_with_recipients, req
from .messaging import add_patients, compose, create

PRACTICE_OF_OTHER_NETWORK, OTHER_NETWORK = "B82002", "U99999"
SAME_NETWORK_PRACTICE, OWNERS_NETWORK = "A81002", "U12345"

Ids = dict[str, Any]
Build = Callable[[Ids], dict[str, Any]]

#: Every request naming one thing of the owner's, and the fields that name it.
OWNED: dict[type[Request], Build] = {
    requests.GetCampaign: lambda i: {"campaign_id": i["campaign"]},
    requests.SetMessage: lambda i: {"campaign_id": i["campaign"], "body": "Hijacked"},
    requests.GetReview: lambda i: {"campaign_id": i["campaign"]},
    requests.SendCampaign: lambda i: {"campaign_id": i["campaign"], "confirm_recipient_count": 2},
    requests.ApproveCampaign: lambda i: {
        "campaign_id": i["campaign"],
        "confirm_recipient_count": 2,
    },
    requests.SendBack: lambda i: {"campaign_id": i["campaign"], "reason": "No"},
    requests.ExcludeRecentlyMessaged: lambda i: {"campaign_id": i["campaign"]},
    requests.CancelCampaign: lambda i: {"campaign_id": i["campaign"]},
    requests.ResumeCampaign: lambda i: {"campaign_id": i["campaign"]},
    requests.GetSendAgain: lambda i: {"campaign_id": i["campaign"]},
    requests.SendAgain: lambda i: {"campaign_id": i["campaign"], "name": "Again"},
    requests.ListRecipients: lambda i: {"campaign_id": i["campaign"]},
    requests.RegisterPatientList: lambda i: {
        "campaign_id": i["campaign"],
        "list_id": uuid.uuid4(),
        "channel": "sms",
        "filename": "list.csv",
        "columns": ["NHS Number", "DOB"],
        "total_rows": 1,
    },
    requests.GetPatientList: lambda i: {"campaign_id": i["campaign"], "list_id": i["list"]},
    requests.RemovePatientList: lambda i: {"campaign_id": i["campaign"], "list_id": i["list"]},
    requests.GetUnsuccessfulRows: lambda i: {"campaign_id": i["campaign"], "list_id": i["list"]},
    requests.TestSend: lambda i: {
        "campaign_id": i["campaign"],
        "channel": "sms",
        "to": "07700 900456",
    },
    requests.GetAudit: lambda i: {"campaign_id": i["campaign"]},
    requests.UpdateTemplate: lambda i: {"template_id": i["template"], "body": "Hijacked"},
    requests.ArchiveTemplate: lambda i: {"template_id": i["template"]},
    requests.ListPatientLists: lambda i: {"campaign_id": i["campaign"]},
    requests.GetRecipient: lambda i: {"campaign_id": i["campaign"], "recipient_id": i["recipient"]},
    patient.GetRecipientActivity: lambda i: {
        "campaign_id": i["campaign"],
        "recipient_id": i["recipient"],
    },
    patient.ListQuestionnaireResponses: lambda i: {"campaign_id": i["campaign"]},
    patient.ListAppointments: lambda i: {"campaign_id": i["campaign"]},
    opt_out.RemoveSuppression: lambda i: {"suppression_id": i["suppression"]},
}

#: Adds to a practice's campaign what that practice owns (a list): a network names the practice
#: (the gateway's ``acting_caller``), so an owner's network is the practice here.
NAMES_ITS_PRACTICE = {requests.RegisterPatientList}

#: Requests over the caller's own organisations: a stranger's answer names nothing of the owner's.
COLLECTIONS: list[type[Request]] = [
    requests.ListCampaigns,
    requests.ListTemplates,
    opt_out.ListSuppressions,
]

#: Every other request kind, and what keeps organisations apart there (tested where named).
EXPLAINED = {
    requests.CreateCampaign: "made in req.org_id, the practice the gateway let the caller act "
    "for; a request id naming another's campaign is refused (test_tenancy)",
    requests.CreateTemplate: "made in req.org_id, as above",
    opt_out.AddSuppression: "added to req.org_id's own list, as above (test_opt_out)",
    requests.ClaimMessages: "dispatch's, not staff's: in the org_id of campaign's own command",
    requests.ResolveLink: "a signed link token whose organisation must be req.org_id (test_links)",
    opt_out.Unsubscribe: "a signed unsubscribe token, likewise (test_opt_out)",
    patient.ListQuestionnaires: "the built-in library: no organisation's data",
    patient.OpenPatientLink: "a signed link token, likewise (test_patient_links)",
    patient.VerifyBirthDate: "as above",
    patient.GetPatientBooking: "as above, and a session for that link's patient only",
    patient.ListFreeSlots: "as above",
    patient.BookAppointment: "as above",
    patient.CancelAppointment: "as above",
    patient.GetPatientQuestionnaire: "as above",
    patient.SubmitQuestionnaire: "as above",
}


@dataclass(frozen=True)
class Caller:
    name: str
    org_id: str
    org_scope: tuple[str, ...] = ()


OWNERS = [
    Caller("owner", ORG),
    Caller("owners-network", OWNERS_NETWORK, (ORG, SAME_NETWORK_PRACTICE)),
]
STRANGERS = [
    Caller("practice-of-another-network", PRACTICE_OF_OTHER_NETWORK),
    Caller("another-network", OTHER_NETWORK, (PRACTICE_OF_OTHER_NETWORK,)),
    Caller(
        "owners-network-acting-for-another-member", SAME_NETWORK_PRACTICE, (SAME_NETWORK_PRACTICE,)
    ),
]


async def owners_world(deps: Deps) -> Ids:
    """A practice's campaign with two patients and a message, a template and an opt-out."""
    campaign_id, list_id = await campaign_with_recipients(deps, 2)
    page = await campaigns.list_recipients(
        req(requests.ListRecipients, campaign_id=campaign_id), deps
    )
    template = await templates.create_template(
        req(requests.CreateTemplate, name="Flu", type="basic", body="Hello ((first_name))"), deps
    )
    suppression = await suppressions.add_suppression(
        req(opt_out.AddSuppression, contact="07700 900999"), deps
    )
    return {
        "campaign": campaign_id,
        "list": list_id,
        "recipient": page.items[0].id,
        "template": template.id,
        "suppression": suppression.id,
    }


def request_of(kind: type[Request], caller: Caller, fields: dict[str, Any]) -> CampaignRequest:
    made: CampaignRequest = req(  # type: ignore[assignment]
        kind, org_id=caller.org_id, org_scope=list(caller.org_scope), **fields
    )
    return made


def error_code(reply: RpcReply[Any]) -> str | None:
    return None if reply.error is None else reply.error.code


async def everything(mongo: MongoHandle) -> dict[str, list[Any]]:
    """Every document campaign holds, by collection."""
    names = sorted(await mongo.db.list_collection_names())
    return {name: await mongo.db[name].find({}).sort("_id", 1).to_list(None) for name in names}


def test_every_request_kind_is_swept_or_explained() -> None:
    swept = set(OWNED) | set(COLLECTIONS)
    assert not swept & set(EXPLAINED)
    assert set(HANDLERS) == swept | set(EXPLAINED), "a new request kind: sweep it or explain it"


@pytest.mark.parametrize("caller", STRANGERS, ids=lambda c: c.name)
@pytest.mark.parametrize("kind", list(OWNED), ids=lambda k: k.__name__)
async def test_a_stranger_is_not_found_and_changes_nothing(
    deps: Deps, mongo: MongoHandle, publisher: FakePublisher, kind: type[Request], caller: Caller
) -> None:
    ids = await owners_world(deps)
    before, published = await everything(mongo), len(publisher.published)

    reply = await answer(request_of(kind, caller, OWNED[kind](ids)), deps)

    assert error_code(reply) == "not_found", reply
    assert await everything(mongo) == before, "a stranger changed the owner's"
    assert len(publisher.published) == published
    # The same request by the owner is found (whatever it then decides), so the refusal above
    # is the scope's alone.
    for owner in OWNERS:
        if kind in NAMES_ITS_PRACTICE and owner.org_id not in (ORG,):
            continue
        mine = await answer(request_of(kind, owner, OWNED[kind](ids)), deps)
        assert error_code(mine) != "not_found", (owner.name, mine)


@pytest.mark.parametrize("caller", STRANGERS, ids=lambda c: c.name)
@pytest.mark.parametrize("kind", COLLECTIONS, ids=lambda k: k.__name__)
async def test_a_strangers_lists_name_nothing_of_the_owners(
    deps: Deps, kind: type[Request], caller: Caller
) -> None:
    ids = await owners_world(deps)
    owners = {str(v) for v in ids.values()}

    theirs = await answer(request_of(kind, caller, {}), deps)
    mine = await answer(request_of(kind, OWNERS[0], {}), deps)

    assert error_code(theirs) is None
    assert error_code(mine) is None
    assert not any(owned in theirs.model_dump_json() for owned in owners)
    # The owner's own list does name them, so the check above can fail.
    assert any(owned in mine.model_dump_json() for owned in owners)


#: Second reads: the stranger names a campaign of its own and, inside it, one of the owner's.
INSIDE: dict[str, tuple[type[Request], Build]] = {
    "list": (requests.GetPatientList, lambda i: {"list_id": i["list"]}),
    "list-rows": (requests.GetUnsuccessfulRows, lambda i: {"list_id": i["list"]}),
    "list-removal": (requests.RemovePatientList, lambda i: {"list_id": i["list"]}),
    "recipient": (requests.GetRecipient, lambda i: {"recipient_id": i["recipient"]}),
    "activity": (patient.GetRecipientActivity, lambda i: {"recipient_id": i["recipient"]}),
    "template": (requests.SetMessage, lambda i: {"template_id": i["template"]}),
}


@pytest.mark.parametrize("what", list(INSIDE))
async def test_the_owners_things_are_not_found_inside_a_strangers_own_campaign(
    deps: Deps, mongo: MongoHandle, what: str
) -> None:
    ids = await owners_world(deps)
    stranger = STRANGERS[0]
    theirs = await create(deps, org=stranger.org_id)
    their_list = await add_patients(deps, theirs.id, [("Bob", "Hill")], org=stranger.org_id)
    await compose(deps, theirs.id, "Hello", org_id=stranger.org_id)
    kind, build = INSIDE[what]
    before = await everything(mongo)

    reply = await answer(request_of(kind, stranger, {"campaign_id": theirs.id, **build(ids)}), deps)

    assert error_code(reply) == "not_found", reply
    assert await everything(mongo) == before
    # The stranger's own things are found there, so the request itself is sound.
    their_page = await campaigns.list_recipients(
        req(requests.ListRecipients, org_id=stranger.org_id, campaign_id=theirs.id), deps
    )
    their_template = await templates.create_template(
        req(requests.CreateTemplate, org_id=stranger.org_id, name="T", type="basic", body="Hi"),
        deps,
    )
    own = {"list": their_list, "recipient": their_page.items[0].id, "template": their_template.id}
    mine = await answer(request_of(kind, stranger, {"campaign_id": theirs.id, **build(own)}), deps)
    assert error_code(mine) != "not_found", mine
