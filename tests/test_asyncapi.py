"""docs/asyncapi.yaml is what the code generates (``python -m cohort_ops.asyncapi --write``),
and it documents every route in ``cohort_contracts.routing`` with its payload schema."""

import yaml

from cohort_contracts.routing import ALL_ROUTES
from cohort_ops.asyncapi import DOCUMENT, generate


def test_the_checked_in_document_is_what_the_code_generates() -> None:
    assert DOCUMENT.read_text() == generate(), (
        "docs/asyncapi.yaml is stale: run `uv run python -m cohort_ops.asyncapi --write`"
    )


def test_every_route_has_a_channel_with_a_payload_schema() -> None:
    spec = yaml.safe_load(generate())
    channels = spec["channels"].values()
    assert {c["address"] for c in channels} == {r.routing_key for r in ALL_ROUTES}
    consumed = {
        c["bindings"]["amqp"]["queue"]["name"] for c in channels if "queue" in c["bindings"]["amqp"]
    }
    assert consumed == {f"cohort.{r.queue}" for r in ALL_ROUTES}
    for message in spec["components"]["messages"].values():
        ref = message["payload"].get("$ref") or message["payload"]["oneOf"][0]["$ref"]
        assert ref.split("/")[-1] in spec["components"]["schemas"]
    assert "guest" not in yaml.safe_dump(spec["servers"])
