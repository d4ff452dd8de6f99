"""Reading rendered pages as a person (and a screen reader) would: the title, the h1, visible
text, the error summary, links and buttons by their text, form fields by their label."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "area", "col", "wbr", "base"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)
    parent: "Node | None" = None

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style"):
                parts.append(child.text())
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def find_all(self, predicate: Callable[["Node"], bool]) -> list["Node"]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if predicate(child):
                    found.append(child)
                found.extend(child.find_all(predicate))
        return found

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


class Page:
    def __init__(self, html: str) -> None:
        builder = _Builder()
        builder.feed(html)
        self.html = html
        self.root = builder.root

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        return self.root.find_all(lambda n: n.tag == tag and (cls is None or n.has_class(cls)))

    @property
    def title(self) -> str:
        return self.all("title")[0].text()

    @property
    def h1(self) -> str:
        [h1] = self.all("h1")
        return h1.text()

    @property
    def main_text(self) -> str:
        return self.all("main")[0].text()

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(text, href) of each error summary link."""
        summaries = self.root.find_all(lambda n: n.has_class("nhsuk-error-summary"))
        return [
            (a.text(), a.attrs.get("href", ""))
            for s in summaries
            for a in s.find_all(lambda n: n.tag in ("a", "li"))
            if a.tag == "a" or not a.find_all(lambda n: n.tag == "a")
        ]

    def inline_error(self, field_id: str) -> str:
        """The error message shown beside a field (NHS: ``<id>-error``)."""
        found = self.root.find_all(lambda n: n.attrs.get("id") == f"{field_id}-error")
        return found[0].text().removeprefix("Error:").strip() if found else ""

    def link(self, text: str) -> str:
        for a in self.all("a"):
            if a.text() == text:
                return a.attrs["href"]
        raise AssertionError(f"no link {text!r}: {[a.text() for a in self.all('a')]}")

    def buttons(self) -> list[str]:
        return [b.text() for b in self.all("button")] + [
            a.text() for a in self.all("a", "nhsuk-button")
        ]

    def label_for(self, field_id: str) -> str:
        for label in self.all("label"):
            if label.attrs.get("for") == field_id:
                return label.text()
        raise AssertionError(f"no label for {field_id}")

    def field(self, field_id: str) -> Node:
        """The input, select or textarea with this id."""
        found = self.root.find_all(
            lambda n: n.tag in ("input", "select", "textarea") and n.attrs.get("id") == field_id
        )
        assert found, f"no field {field_id}"
        return found[0]

    def marked_in_error(self) -> set[str]:
        """The ids of the inputs shown in error (NHS: ``nhsuk-input--error``)."""
        return {n.attrs.get("id", "") for n in self.all("input", "nhsuk-input--error")}

    def legend(self, fieldset_has: str) -> str:
        """The legend of the fieldset around the field ``fieldset_has``."""
        node: Node | None = self.field(fieldset_has)
        while node is not None and node.tag != "fieldset":
            node = node.parent
        assert node is not None, f"{fieldset_has} is not in a fieldset"
        return node.find_all(lambda n: n.tag == "legend")[0].text()

    def csrf(self) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.html)
        assert match, "the page has no form with a CSRF token"
        return match.group(1)

    def table_rows(self) -> list[list[str]]:
        return [
            [cell.text() for cell in row.find_all(lambda n: n.tag == "td")]
            for row in self.all("tr")
            if row.find_all(lambda n: n.tag == "td")
        ]
