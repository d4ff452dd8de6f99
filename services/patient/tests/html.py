"""Reading pages as a person would: text, headings, form fields (the stdlib HTML parser)."""

import re
from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.inputs: dict[str, str] = {}
        self.h1: list[str] = []
        self._in_h1 = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "h1":
            self._in_h1 += 1
            self.h1.append("")
        if tag == "input" and values.get("name"):
            self.inputs.setdefault(str(values["name"]), str(values.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "h1":
            self._in_h1 -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._in_h1:
            self.h1[-1] += data


class Page:
    def __init__(self, html: str) -> None:
        parsed = _Page()
        parsed.feed(html)
        self.html = html
        self.text = re.sub(r"\s+", " ", " ".join(parsed.text)).strip()
        self.h1 = [re.sub(r"\s+", " ", h).strip() for h in parsed.h1]
        self.inputs = parsed.inputs

    @property
    def heading(self) -> str:
        assert len(self.h1) == 1, self.h1
        return self.h1[0]

    def has(self, words: str) -> bool:
        return re.sub(r"\s+", " ", words) in self.text
