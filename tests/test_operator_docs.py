"""docs/ stays true to the code: the configuration reference documents every setting every
process reads (a setting added without a description fails here), the reason codes page lists
every reason with the words staff read, every link in every Markdown page lands inside the
repository (on a real file, and a real section where it names one), and the indexes the runbook
says may be dropped are the ones campaign no longer creates."""

import re
from pathlib import Path

import pytest

from campaign.adapters.mongo_database import INDEXES
from cohort_ops import reasons_docs, settings_docs
from cohort_ops.settings_docs import SECTIONS, settings

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
#: Every Markdown page of the repository (the services', libraries', simulators' and benchmarks'
#: READMEs too), not what tools install (node_modules, hidden directories such as .venv).
MARKDOWN = sorted(
    page
    for page in ROOT.rglob("*.md")
    if not any(p.startswith(".") or p == "node_modules" for p in page.relative_to(ROOT).parts)
)


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


def index_names() -> set[tuple[str, str]]:
    """Every (collection, index name) campaign creates, named as MongoDB names them."""
    return {(c, "_".join(f"{field}_{order}" for field, order in keys)) for c, keys, _ in INDEXES}


def test_the_runbooks_unused_indexes_are_unused_and_their_replacements_exist() -> None:
    """docs/operations.md tells operators which indexes they may drop: each must be one campaign
    no longer creates, and what replaced it one that it does."""
    section = (ROOT / "docs" / "operations.md").read_text().split("\n## MongoDB indexes\n")[1]
    rows = [line for line in section.split("\n## ")[0].splitlines() if line.startswith("| `")]
    assert rows, "docs/operations.md#mongodb-indexes has no table"
    current = index_names()
    for row in rows:
        collection, old, replacement = (
            re.findall(r"`([^`]+)`", cell) for cell in row.split("|")[1:4]
        )
        assert (collection[0], old[0]) not in current, f"{old[0]} is still in use"
        assert (collection[0], replacement[0]) in current, f"no index {replacement[0]}"
