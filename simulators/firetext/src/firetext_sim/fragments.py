"""SMS fragment counting, as GOV.UK Notify's notifications-utils counts it (reference/firetext.md
section 6). Written independently of ``cohort_nhs.sms`` (a double that shared our code could not
catch our bugs); both run the vectors in ``cohort_nhs/vectors``."""

import math

# GSM 03.38 basic character set (the escape character itself excluded: it is not text).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as escape + character, so counts twice.
GSM_EXTENDED = frozenset("^{}\\[~]|€")

GSM_SINGLE = 160
GSM_PART = 153
UCS2_SINGLE = 70
# Notify uses 67 per concatenated Unicode part; Firetext's docs say 66, so Firetext may bill
# Welsh or emoji texts one part more than this counts.
UCS2_PART = 67


def is_gsm(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENDED for char in text)


def sms_length(text: str) -> int:
    """Length in the units the encoding bills: GSM septets or UTF-16 code units."""
    if is_gsm(text):
        return len(text) + sum(char in GSM_EXTENDED for char in text)
    return len(text.encode("utf-16-le")) // 2


def fragment_count(text: str) -> int:
    # Like Notify, this ignores that a part boundary cannot split an escape pair or a surrogate
    # pair, which can cost a real network one more part at the edges.
    if not text:
        return 0
    length = sms_length(text)
    if is_gsm(text):
        return 1 if length <= GSM_SINGLE else math.ceil(length / GSM_PART)
    return 1 if length <= UCS2_SINGLE else math.ceil(length / UCS2_PART)
