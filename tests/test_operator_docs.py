"""docs/ stays true to the code: the configuration reference documents every setting every
process reads (a setting added without a description fails here), the reason codes page lists
every reason with the words staff read, and every link in the README and docs/ lands inside
the repository (on a real file, and a real section where it names one)."""

import re
from pathlib import Path

import pytest

from cohort_ops import reasons_docs, settings_docs
from cohort_ops.settings_docs import SECTIONS, settings

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
MARKDOWN = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "deploy/k8s/README.md",
]


def test_every_setting_has_a_description() -> None:
    missing = [s.variable for _, cls, _ in SECTIONS for s in settings(cls) if not s.description]
    assert not missing, f"describe these settings (a #: comment, or DESCRIPTIONS): {missing}"


def test_the_configuration_reference_is_what_the_settings_generate() -> None:
    assert settings_docs.DOCUMENT.read_text() == settings_docs.render(), (
        "run `uv run python -m cohort_ops.settings_docs --write`"
    )


def test_every_setting_is_in_the_configuration_reference() -> None:
    text = settings_docs.DOCUMENT.read_text()
    for _, cls, _ in SECTIONS:
        for setting in settings(cls):
            assert f"| `{setting.variable}` |" in text, setting.variable


def test_the_upload_reasons_page_is_what_the_vocabulary_generates() -> None:
    assert reasons_docs.DOCUMENT.read_text() == reasons_docs.render(), (
        "run `uv run python -m cohort_ops.reasons_docs --write`"
    )


def anchors(markdown: str) -> set[str]:
    headings = re.findall(r"^#+\s+(.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_stays_inside_the_repository_and_lands(page: Path) -> None:
    for target in LINK.findall(page.read_text()):
        assert not re.match(r"[a-z]+:", target), f"{page.name} links outside: {target}"
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.is_relative_to(ROOT), f"{page.name} links outside the repo: {target}"
        assert resolved.exists(), f"{page.name}: {target} does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved.read_text()), f"{page.name}: no #{anchor}"
