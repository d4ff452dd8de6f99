"""`make demo`: against a running `make run`, send a basic SMS campaign and show what happened.

Creates a campaign, uploads the bundled sample list, waits for PDS resolution, sets a message,
reviews, sends with the reviewed count, and prints progress until every patient has an outcome."""

import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx2

from gateway.adapters.token_verifiers import issue_token
from gateway.config import GatewaySettings

GATEWAY = os.environ.get("COHORT_GATEWAY_URL", "http://127.0.0.1:8000")
SAMPLE = Path(__file__).with_name("sample-patients.csv")


def main() -> int:
    settings = GatewaySettings()
    token = issue_token(
        settings.jwt_secret.get_secret_value(),
        "demo-user",
        os.environ.get("ORG", "A81001"),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    api = httpx2.Client(base_url=GATEWAY, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    try:
        api.get("/healthz").raise_for_status()
    except httpx2.HTTPError:
        print(f"No gateway at {GATEWAY}: start everything with `make run` first.")
        return 1

    campaign = api.post("/v1/campaigns", json={"name": "Demo flu clinic", "type": "basic"})
    campaign.raise_for_status()
    cid = campaign.json()["id"]
    print(f"campaign {cid} created")

    upload = api.post(
        f"/v1/campaigns/{cid}/patient-lists",
        files={"file": (SAMPLE.name, SAMPLE.read_bytes(), "text/csv")},
        data={"channel": "sms"},
    )
    upload.raise_for_status()
    lid = upload.json()["id"]
    while True:
        pl = api.get(f"/v1/campaigns/{cid}/patient-lists/{lid}").json()
        print(f"  resolving: {pl['processed_rows']}/{pl['total_rows']} rows")
        if pl["status"] == "complete":
            break
        time.sleep(1)
    print(f"list: {pl['succeeded']} resolved, {pl['failed']} unsuccessful")
    for reason in pl["failed_by_reason"]:
        print(f"  {reason['count']:>4} {reason['reason_code']}: {reason['reason']}")

    api.put(
        f"/v1/campaigns/{cid}/message",
        json={"body": "Hello ((first_name)), flu vaccinations are now available at the surgery."},
    ).raise_for_status()
    review = api.get(f"/v1/campaigns/{cid}/review").json()
    print(f"review: {review['recipient_count']} recipients, {review['total_fragments']} fragments")
    if review["previews"]:
        print(f'  e.g. "{review["previews"][0]["body"]}"')

    send = api.post(
        f"/v1/campaigns/{cid}/send", json={"confirm_recipient_count": review["recipient_count"]}
    )
    send.raise_for_status()
    print("sending…")
    while True:
        if held_until := api.get(f"/v1/campaigns/{cid}").json().get("held_until"):
            # At night, on Sundays and bank holidays the texts wait for the morning.
            print(
                f"held by quiet hours until {held_until}: it resumes by itself then. To send "
                "now, stop `make run` and start `CAMPAIGN_QUIET_HOURS=off make run`."
            )
            return 0
        statuses = Counter(r["status"] for r in _recipients(api, cid))
        print("  " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
        if all(s in ("delivered", "failed", "cancelled", "outcome_unknown") for s in statuses):
            break
        time.sleep(1)
    final = api.get(f"/v1/campaigns/{cid}").json()
    print(f"campaign {final['status']}: {final['counts']}")
    return 0


def _recipients(api: httpx2.Client, cid: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = api.get(
            f"/v1/campaigns/{cid}/recipients", params={"page": page, "page_size": 500}
        ).json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
        page += 1


if __name__ == "__main__":
    sys.exit(main())
