"""The review's arithmetic over every rendered message, one recipient at a time (so a review of a
million recipients holds counters, not messages)."""

from dataclasses import dataclass, field

from cohort_contracts.vocabulary import Channel
from cohort_nhs import MAX_SMS_CHARACTERS, is_gsm, sms_size, utf16_units

#: Any letter outside GSM 03.38 (it makes a message UCS-2, and is one UTF-16 unit).
NON_GSM_LETTER = "ł"

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
class NameShape:
    """What a name adds to a message's size: GSM septets (extension characters count two),
    UTF-16 units (what it adds once the message is UCS-2), and whether it is all GSM."""

    septets: int
    units: int
    gsm: bool

    @property
    def key(self) -> str:
        return f"{self.septets}.{self.units}.{int(self.gsm)}"

    @classmethod
    def of(cls, name: str) -> "NameShape":
        return cls(sms_size(name).length if is_gsm(name) else 0, utf16_units(name), is_gsm(name))

    @classmethod
    def from_key(cls, key: str) -> "NameShape":
        septets, units, gsm = key.split(".")
        return cls(int(septets), int(units), gsm == "1")

    def stand_in(self) -> str:
        """A name of exactly this shape: messages rendered with it have exactly the size of
        messages rendered with any real name of the shape."""
        if not self.gsm:
            return NON_GSM_LETTER + "a" * (self.units - 1)
        extensions = self.septets - self.units  # each counts two septets and one unit
        return "[" * extensions + "a" * (self.units - extensions)


def names_key(given_name: str, family_name: str) -> str:
    """Recipients whose names share this key get messages of exactly the same size."""
    return f"{NameShape.of(given_name).key}:{NameShape.of(family_name).key}"


def stand_in_names(key: str) -> tuple[str, str]:
    given, family = key.split(":")
    return NameShape.from_key(given).stand_in(), NameShape.from_key(family).stand_in()


@dataclass
class ReviewTally:
    recipient_count: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    total_fragments: int = 0
    largest_fragments: int = 0
    largest_characters: int = 0
    #: Recipients whose message is too long (rare: it takes very long names), and the first
    #: of them by id.
    too_long_count: int = 0
    too_long: list[str] = field(default_factory=list)

    def add(self, recipient_id: str, channel: Channel, size: MessageSize | None) -> None:
        """Count one ready recipient; ``size`` is None while there is no message yet."""
        self.add_many(channel, size, 1)
        if size is not None and size.too_long and channel == "sms":
            self.too_long.append(recipient_id)

    def add_many(self, channel: Channel, size: MessageSize | None, count: int) -> None:
        """Count ``count`` ready recipients whose messages all have ``size`` (the too-long
        ones are named separately, see ``too_long_count``)."""
        if size is not None and channel == "sms":
            self.largest_fragments = max(self.largest_fragments, size.fragments)
            self.largest_characters = max(self.largest_characters, size.characters)
            if size.too_long:
                self.too_long_count += count
                return
            self.total_fragments += size.fragments * count
        self.recipient_count += count
        self.by_channel[channel] = self.by_channel.get(channel, 0) + count
