"""/docs and /redoc work with no internet: every script, stylesheet and icon they load is served
by the gateway itself, from the installed fastapi-offline package."""

import re

import pytest

from ..conftest import Harness

ASSET = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_only_assets_the_gateway_serves(
    gateway: Harness, page: str
) -> None:
    response = await gateway.client.get(page)
    assert response.status_code == 200
    html = response.text
    assets = [a or b for a, b in ASSET.findall(html)]

    assert assets, "the page loads nothing: the pattern no longer matches the page"
    assert not re.search(r"https?://", html.replace("http://gateway", "")), (
        "the page names an outside address"
    )
    for asset in assets:
        served = await gateway.client.get(asset)
        assert served.status_code == 200, asset
        assert served.content, asset
    scripts = [a for a in assets if a.endswith(".js")]
    assert scripts
    assert all(a.startswith("/static-offline-docs/") for a in scripts)
    assert "/openapi.json" in assets


async def test_the_gateway_describes_the_messages_it_publishes(gateway: Harness) -> None:
    spec = (await gateway.client.get("/asyncapi")).json()
    addresses = {channel["address"] for channel in spec["channels"].values()}
    assert addresses == {
        "ingest.resolve_rows",
        "campaign.request",
        "dispatch.firetext_receipt",
        "dispatch.firetext_inbound",
    }
    assert "ResolveRows" in spec["components"]["schemas"]
