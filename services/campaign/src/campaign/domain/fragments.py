"""SMS length in fragments (= Firetext credits), counted as GOV.UK Notify does.

See reference/firetext.md §6.

GSM 03.38: 160 characters in one fragment, 153 per fragment when concatenated, with the
extension characters counting double. Anything outside GSM makes the whole message UCS-2:
70 in one, 67 per fragment (counted in UTF-16 code units)."""

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€")
MAX_SMS_CHARACTERS = 918


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def non_gsm_characters(text: str) -> list[tuple[int, str]]:
    return [(i, ch) for i, ch in enumerate(text) if ch not in GSM_BASIC and ch not in GSM_EXTENSION]


def sms_length(text: str) -> int:
    if is_gsm(text):
        return len(text) + sum(1 for ch in text if ch in GSM_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


def sms_fragments(text: str) -> int:
    length = sms_length(text)
    single, multi = (160, 153) if is_gsm(text) else (70, 67)
    if length <= single:
        return 1
    return -(-length // multi)
