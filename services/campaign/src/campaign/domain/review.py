"""The review's arithmetic over every rendered message, one recipient at a time (so a review of a
million recipients holds counters, not messages)."""

from dataclasses import dataclass, field

from cohort_contracts.vocabulary import Channel

from .fragments import MAX_SMS_CHARACTERS, sms_size

#: How many too-long recipients the review names; all of them are excluded from sending.
TOO_LONG_LISTED = 500


def too_long(channel: Channel, body: str) -> bool:
    """Notify's limit (918 = 6 x 153): longer texts are not sent at all."""
    return channel == "sms" and sms_size(body).length > MAX_SMS_CHARACTERS


@dataclass
class ReviewTally:
    recipient_count: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    total_fragments: int = 0
    largest_fragments: int = 0
    largest_characters: int = 0
    #: Every recipient whose message is too long (rare: it takes very long names).
    too_long: list[str] = field(default_factory=list)

    def add(self, recipient_id: str, channel: Channel, body: str | None) -> None:
        """Count one ready recipient; ``body`` is None while there is no message yet."""
        if body is not None and channel == "sms":
            size = sms_size(body)
            self.largest_fragments = max(self.largest_fragments, size.fragments)
            self.largest_characters = max(self.largest_characters, size.length)
            if size.length > MAX_SMS_CHARACTERS:
                self.too_long.append(recipient_id)
                return
            self.total_fragments += size.fragments
        self.recipient_count += 1
        self.by_channel[channel] = self.by_channel.get(channel, 0) + 1
