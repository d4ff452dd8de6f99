"""The HTTP face, its practices reading a MESH mailbox in memory (no mesh-sandbox)."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from cohort_testing.in_process import app_client
from fake_gp import app as app_module
from fake_gp.app import create_app, parse_behaviours
from fake_gp.config import Settings

from .builders import TEXT, encode, send_document
from .fakes import FakeMesh, FakeMessage


@pytest.mark.parametrize(
    ("text", "behaviours"),
    [
        ("1=not_registered, 2=rejected", {"1": "not_registered", "2": "rejected"}),
        (
            "1=not_registered,2=rejected,3=silent,4=uncollected",
            {"1": "not_registered", "2": "rejected", "3": "silent", "4": "uncollected"},
        ),
        (" 5 = silent ,", {"5": "silent"}),
        ("", {}),
        ("  ", {}),
    ],
)
def test_parse_behaviours(text: str, behaviours: dict[str, str]) -> None:
    assert parse_behaviours(text) == behaviours


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1=filled", "unknown behaviour 'filled'"),
        ("1=", "unknown behaviour ''"),
        ("12=silent", "'12' is not one digit"),
        ("x=silent", "'x' is not one digit"),
    ],
)
def test_a_misspelt_behaviour_fails_at_start(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_behaviours(text)
    with pytest.raises(ValueError, match=problem):
        create_app(Settings(behaviours=text, mailboxes=""))


def test_a_misspelt_default_fails_at_start() -> None:
    with pytest.raises(ValueError, match="unknown behaviour 'filled'"):
        create_app(Settings(default="filled", mailboxes=""))


@dataclass
class Mailboxes:
    """A ``MeshClient`` stand-in: one fake mailbox per practice, made on the practice's thread."""

    meshes: dict[str, FakeMesh] = field(default_factory=dict)
    made: list[tuple[tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)

    def __call__(self, *args: Any, **kwargs: Any) -> FakeMesh:
        self.made.append((args, kwargs))
        return self.meshes[args[1]]


@pytest.fixture
def mailboxes(monkeypatch: pytest.MonkeyPatch) -> Mailboxes:
    mailboxes = Mailboxes({"A81001GP1": FakeMesh(), "A81002GP1": FakeMesh()})
    monkeypatch.setattr(app_module, "MeshClient", mailboxes)
    return mailboxes


@pytest.fixture
async def client(mailboxes: Mailboxes) -> AsyncIterator[httpx2.AsyncClient]:
    settings = Settings(
        mailboxes="A81001GP1, A81002GP1",
        poll_interval_s=0.01,
        behaviours="2=rejected",
        mesh_password="pw",
        mesh_shared_key="key",
    )
    async with app_client(create_app(settings), "http://fake-gp.test") as client:
        yield client


async def documents_once(client: httpx2.AsyncClient, count: int) -> list[dict[str, Any]]:
    for _ in range(500):
        found: list[dict[str, Any]] = (await client.get("/_sim/documents")).json()
        if len(found) >= count:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} documents, found {len(found)}")


async def test_documents_lists_what_each_practice_collected_and_reset_forgets_them(
    client: httpx2.AsyncClient, mailboxes: Mailboxes
) -> None:
    first, second = mailboxes.meshes["A81001GP1"], mailboxes.meshes["A81002GP1"]
    first.deliver(
        "M1",
        FakeMessage(encode(send_document(nhs_number="9434765910", sender_reference="entry-1"))),
    )
    second.deliver(
        "M2",
        FakeMessage(encode(send_document(nhs_number="9434765912", sender_reference="entry-2"))),
    )

    found = sorted(await documents_once(client, 2), key=lambda d: d["mesh_message_id"])
    health = await client.get("/healthz")
    reset = await client.post("/_sim/reset")
    after = (await client.get("/_sim/documents")).json()

    assert [
        (d["mesh_message_id"], d["mailbox"], d["sender_reference"], d["behaviour"], d["valid"])
        for d in found
    ] == [
        ("M1", "A81001GP1", "entry-1", "filed", True),
        ("M2", "A81002GP1", "entry-2", "rejected", True),
    ]
    assert found[0]["pdf_text"] == TEXT
    assert found[0]["mex_headers"] == {"subject": "GP Connect"}
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert reset.json() == {"status": "reset"}
    assert after == []


async def test_each_practice_has_its_own_client_closed_at_shutdown(
    mailboxes: Mailboxes,
) -> None:
    settings = Settings(
        mailboxes="A81001GP1,A81002GP1",
        poll_interval_s=0.01,
        mesh_password="pw",
        mesh_shared_key="key",
    )
    async with app_client(create_app(settings), "http://fake-gp.test") as client:
        for _ in range(500):
            if (await client.get("/healthz")).status_code == 200:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the practices never started")

    assert sorted(args[1] for args, _ in mailboxes.made) == ["A81001GP1", "A81002GP1"]
    for args, kwargs in mailboxes.made:
        assert args[2] == "pw"
        assert kwargs["shared_key"] == b"key"
    assert all(mesh.handshakes == 1 and mesh.closed for mesh in mailboxes.meshes.values())
