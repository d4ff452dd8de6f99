"""What the review says about characters outside GSM: where they are and what to write instead
(the SMS sizes themselves are counted once for every service, in ``cohort_nhs``)."""

import unicodedata

from cohort_nhs import is_gsm, non_gsm_characters

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
