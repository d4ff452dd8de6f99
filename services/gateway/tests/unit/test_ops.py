"""/healthz, /readyz, /metrics and the OpenAPI contract."""

from uuid import uuid4

from ..conftest import ORG, Harness


async def test_health_and_readiness(gateway: Harness) -> None:
    health = await gateway.client.get("/healthz")
    ready = await gateway.client.get("/readyz")

    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"broker": True}}


async def test_metrics_count_requests_by_route_template_not_raw_path(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    await gateway.client.get(f"/v1/campaigns/{campaign.id}", headers=gateway.auth())
    await gateway.client.get(f"/v1/campaigns/{uuid4()}", headers=gateway.auth())
    await gateway.client.get(f"/no/such/{uuid4()}")

    metrics = (await gateway.client.get("/metrics")).text

    assert (
        'gateway_http_requests_total{method="GET",route="/v1/campaigns/{campaign_id}",'
        'status="200"}' in metrics
    )
    assert 'route="/v1/campaigns/{campaign_id}",status="404"' in metrics
    assert 'route="unmatched",status="404"' in metrics
    assert str(campaign.id) not in metrics


async def test_openapi_documents_every_route_with_models_and_errors(gateway: Harness) -> None:
    spec = (await gateway.client.get("/openapi.json")).json()

    assert set(spec["paths"]) >= {
        "/v1/campaigns",
        "/v1/campaigns/{campaign_id}",
        "/v1/campaigns/{campaign_id}/patient-lists",
        "/v1/campaigns/{campaign_id}/patient-lists/{list_id}",
        "/v1/campaigns/{campaign_id}/patient-lists/{list_id}/unsuccessful.csv",
        "/v1/campaigns/{campaign_id}/message",
        "/v1/campaigns/{campaign_id}/review",
        "/v1/campaigns/{campaign_id}/send",
        "/v1/campaigns/{campaign_id}/cancel",
        "/v1/campaigns/{campaign_id}/recipients",
        "/v1/webhooks/firetext/receipts",
        "/v1/webhooks/firetext/inbound",
    }
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1"):
            continue
        for operation in operations.values():
            assert operation.get("summary"), path
            errors = {k: v for k, v in operation["responses"].items() if k.startswith("4")}
            assert errors, path
            for response in errors.values():
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, path
    upload = spec["paths"]["/v1/campaigns/{campaign_id}/patient-lists"]["post"]
    assert set(upload["responses"]) >= {"202", "401", "404", "413", "422", "503"}
    receipts = spec["paths"]["/v1/webhooks/firetext/receipts"]["post"]
    assert "application/x-www-form-urlencoded" in receipts["requestBody"]["content"]
