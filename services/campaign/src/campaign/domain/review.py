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


@dataclass(frozen=True)
class MessageSize:
    """What one recipient's rendered message costs (0 fragments for email)."""

    characters: int
    fragments: int
    too_long: bool


def measure(channel: Channel, body: str) -> MessageSize:
    if channel != "sms":
        return MessageSize(len(body), 0, False)
    size = sms_size(body)
    return MessageSize(size.length, size.fragments, size.length > MAX_SMS_CHARACTERS)


@dataclass(frozen=True)
class SizeTotals:
    """Ready recipients of one channel whose sizes are stored, added up (by the database)."""

    channel: Channel
    recipients: int
    fragments: int
    largest_fragments: int
    largest_characters: int
    too_long: int


@dataclass
class ReviewTally:
    recipient_count: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    total_fragments: int = 0
    largest_fragments: int = 0
    largest_characters: int = 0
    #: Every recipient whose message is too long (rare: it takes very long names).
    too_long: list[str] = field(default_factory=list)

    def add(self, recipient_id: str, channel: Channel, size: MessageSize | None) -> None:
        """Count one ready recipient; ``size`` is None while there is no message yet."""
        if size is not None and channel == "sms":
            self.largest_fragments = max(self.largest_fragments, size.fragments)
            self.largest_characters = max(self.largest_characters, size.characters)
            if size.too_long:
                self.too_long.append(recipient_id)
                return
            self.total_fragments += size.fragments
        self.recipient_count += 1
        self.by_channel[channel] = self.by_channel.get(channel, 0) + 1

    def merge(self, totals: SizeTotals) -> None:
        """Count recipients whose sizes were added up already; the too-long ones among them
        are named separately (``too_long_ids``)."""
        sendable = totals.recipients - totals.too_long
        self.recipient_count += sendable
        if sendable:
            self.by_channel[totals.channel] = self.by_channel.get(totals.channel, 0) + sendable
        self.total_fragments += totals.fragments
        self.largest_fragments = max(self.largest_fragments, totals.largest_fragments)
        self.largest_characters = max(self.largest_characters, totals.largest_characters)
