"""SMS length in fragments (= Firetext credits), counted as GOV.UK Notify does
(reference/firetext.md §6).

GSM 03.38: 160 characters in one fragment, 153 per fragment when concatenated, with the
extension characters counting double. Anything outside GSM makes the whole message UCS-2: 70 in
one, 67 per fragment (counted in UTF-16 code units). An empty text is no message: 0 fragments."""

import re
from typing import NamedTuple

#: The basic character set; the escape character itself is not text, so it is not here.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each is sent as escape + character, so counts twice.
GSM_EXTENSION = frozenset("^{}\\[~]|€")
#: Notify's limit (6 x 153): longer texts are not sent at all.
MAX_SMS_CHARACTERS = 918

# One scan in C per question: a review measures many messages.
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
    if not text:
        return SmsSize(0, 0)
    if is_gsm(text):
        length, single, multi = len(text) + len(_EXTENSION.findall(text)), 160, 153
    else:
        length, single, multi = utf16_units(text), 70, 67
    return SmsSize(length, 1 if length <= single else -(-length // multi))


def sms_length(text: str) -> int:
    return sms_size(text).length


def sms_fragments(text: str) -> int:
    return sms_size(text).fragments
