"""The README and docs/ link only to files inside the repository (a clone has
nothing beside it) and every such file exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_readme_and_docs_link_only_to_files_that_exist_in_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # http(s) and mailto links are not files
            path = (page.parent / target).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert broken == []


def test_the_readme_shows_the_lead_screens() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("leads-list.png", "lead-page.png", "queue-phone.png"):
        assert f"docs/screenshots/{name}" in readme
    assert "../shared" not in readme.split("## Benchmarks")[0]
