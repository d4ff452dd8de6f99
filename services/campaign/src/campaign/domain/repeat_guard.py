"""The repeat guard: which earlier messages count as "the same message" (pure).

A patient sent the same message twice in a week is confused or alarmed, and it costs the
practice twice. Two messages are the same when they came from the same template (whatever
edits were made since) or carry the same text as staff wrote it, placeholders and all (so
"Hello ((first_name))" matches across patients). Each released recipient is stamped with both
keys; the review looks for this campaign's patients under either."""

import hashlib

from .model import Campaign

#: NHS numbers per lookup: one index-backed query each, so a 20,000-patient list is 20.
LOOKUP_CHUNK = 1000


def message_keys(campaign: Campaign) -> list[str]:
    keys = []
    if campaign.template_id is not None:
        keys.append(f"template:{campaign.template_id}")
    if campaign.message is not None:
        text = f"{campaign.message.subject or ''}\n{campaign.message.body.strip()}"
        keys.append(f"text:{hashlib.sha256(text.encode()).hexdigest()[:32]}")
    return keys


def excluded_reason(days: int) -> str:
    return f"Left out: sent this message by the practice in the last {days} days."
