"""SMS length in fragments (= Firetext credits), counted as GOV.UK Notify does.

See reference/firetext.md §6.

GSM 03.38: 160 characters in one fragment, 153 per fragment when concatenated, with the
extension characters counting double. Anything outside GSM makes the whole message UCS-2:
70 in one, 67 per fragment (counted in UTF-16 code units)."""

import re
import unicodedata
from typing import NamedTuple

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€")
MAX_SMS_CHARACTERS = 918

# One scan in C per question: a review measures every recipient's message.
_NON_GSM = re.compile("[^" + "".join(map(re.escape, sorted(GSM_BASIC | GSM_EXTENSION))) + "]")
_EXTENSION = re.compile("[" + "".join(map(re.escape, sorted(GSM_EXTENSION))) + "]")


class SmsSize(NamedTuple):
    #: Billed characters: GSM septets (extension characters count two) or UTF-16 units.
    length: int
    fragments: int


def is_gsm(text: str) -> bool:
    return _NON_GSM.search(text) is None


def non_gsm_characters(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _NON_GSM.finditer(text)]


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sms_size(text: str) -> SmsSize:
    if is_gsm(text):
        length, single, multi = len(text) + len(_EXTENSION.findall(text)), 160, 153
    else:
        length, single, multi = utf16_units(text), 70, 67
    return SmsSize(length, 1 if length <= single else -(-length // multi))


def sms_length(text: str) -> int:
    return sms_size(text).length


def sms_fragments(text: str) -> int:
    return sms_size(text).fragments


#: What Notify's SMS sanitiser does with the commonest offenders (reference/firetext.md §6).
_REPLACEMENTS = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
    **dict.fromkeys("\u00a0\u202f\u2007\t", " "),
    "\u0141": "L",
    "\u0142": "l",
    "\u2022": "-",
}


def suggestion(ch: str) -> str | None:
    """A GSM replacement for a character that would make the message UCS-2, or None when there
    is none (emoji, most symbols): remove it or reword."""
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    # Decomposition takes accents off letters (á → a) and unpacks compatibility forms (ﬁ → fi).
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return plain if plain and plain != ch and is_gsm(plain) else None


def non_gsm_report(text: str) -> list[tuple[int, str, str | None]]:
    """Every character of ``text`` outside GSM: (position, character, suggested replacement)."""
    return [(i, ch, suggestion(ch)) for i, ch in non_gsm_characters(text)]
