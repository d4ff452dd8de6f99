"""The compose page's live count (static/sms.js, in the browser) counts exactly as the campaign
service counts for the review: both run here on the same texts, the JavaScript under Node."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from campaign.domain.fragments import non_gsm_report
from cohort_nhs import sms_size
from cohort_nhs.vectors import load

SMS_JS = Path(__file__).resolve().parents[2] / "src" / "web" / "static" / "sms.js"
TEXTS = [
    "",
    "Hello",
    "x" * 160,
    "x" * 161,
    "x" * 306,
    "x" * 307,
    "Curly {braces} and [brackets] cost two: €5 ^ ~ |\\",
    "{" * 80,
    "{" * 81,
    "Café: é is GSM, but ç is not",
    "An en dash – makes it UCS-2 " + "y" * 50,
    "é" * 70 + "ü",
    "Emoji 😀 count as two UTF-16 units " + "z" * 36,
    "Line one\nLine two\r\nLine three",
    "Smart “quotes” and ‘apostrophes’ … and Łódź",
    "x" * 918,
]

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")


def run_js(texts: list[str]) -> list[dict[str, object]]:
    script = (
        f"const sms = require({json.dumps(str(SMS_JS))});"
        "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(texts.map(t => ({size: sms.size(t), nonGsm: sms.nonGsm(t)}))));"
    )
    done = subprocess.run(
        ["node", "-e", script], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert isinstance(result, list)
    return result


def test_lengths_and_fragments_match_the_review() -> None:
    for text, js in zip(TEXTS, run_js(TEXTS), strict=True):
        expected = sms_size(text)
        assert js["size"]["length"] == expected.length, text  # type: ignore[index]
        assert js["size"]["fragments"] == expected.fragments, text  # type: ignore[index]


def test_the_browser_agrees_with_the_shared_vectors() -> None:
    """The same vectors our Python counting and the Firetext simulator's run."""
    cases = load("sms_sizes.json")
    for case, js in zip(cases, run_js([c["text"] for c in cases]), strict=True):
        assert (js["size"]["length"], js["size"]["fragments"]) == (  # type: ignore[index]
            case["length"],
            case["fragments"],
        ), case["text"]
        assert js["size"]["unicode"] is not case["gsm"], case["text"]  # type: ignore[index]


def test_special_characters_and_suggestions_match_the_review() -> None:
    for text, js in zip(TEXTS, run_js(TEXTS), strict=True):
        expected: dict[str, str | None] = {}
        for _position, character, suggestion in non_gsm_report(text):
            expected.setdefault(character, suggestion)
        shown = {c["character"]: c["suggestion"] for c in js["nonGsm"]}  # type: ignore[attr-defined]
        assert shown == expected, text
