"""What the screenshot scripts share: a camera that takes a PNG of a page at each width into
docs/screenshots/, with axe-core's findings at each."""

import sys
from pathlib import Path

from playwright.sync_api import Page, ViewportSize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.browser import axe_violations  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 812}


class Camera:
    """Photographs each page at both widths, ``first`` first (the width the page was opened
    at, and is left at), and has axe-core check it at both: ``name.png`` at desktop width,
    ``name-phone.png`` at 375 px."""

    def __init__(self, page: Page, first: ViewportSize) -> None:
        self.page = page
        self.widths = [first, PHONE if first == DESKTOP else DESKTOP]
        self.taken: list[str] = []
        self.violations: dict[str, list[str]] = {}

    def shoot(self, name: str) -> None:
        self.page.wait_for_load_state("networkidle")
        found: list[str] = []
        for size in self.widths:
            self.page.set_viewport_size(size)
            phone = size == PHONE
            png = OUT / (f"{name}-phone.png" if phone else f"{name}.png")
            self.page.screenshot(path=png, full_page=True)
            found += [f"{v} (375 px)" if phone else v for v in axe_violations(self.page)]
        self.page.set_viewport_size(self.widths[0])
        self.taken.append(name)
        if found:
            self.violations[name] = found
        print(f"  {name}" + (f": {len(found)} accessibility problems" if found else ""))

    def check(self) -> None:
        """Lists what axe-core found, page by page, and fails the run if it found anything."""
        if self.violations:
            for name, found in self.violations.items():
                print(f"{name}:", *found, sep="\n  ")
            raise SystemExit("axe-core found accessibility problems")
