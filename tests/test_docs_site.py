"""The documentation site builds without a warning and its internal links resolve.

MkDocs runs in strict mode with link and anchor validation (``mkdocs.yml``), so a broken link
between pages, a missing anchor, a page left out of the navigation or an API reference to a
name that no longer exists fails the build.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> tuple[Path, str, int]:
    site = tmp_path_factory.mktemp("site")
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1",
                                                       "PATH": "/usr/bin:/bin"},
    )
    return site, completed.stdout + completed.stderr, completed.returncode


def test_site_builds_in_strict_mode(built_site):
    site, log, returncode = built_site
    assert returncode == 0, log
    assert "WARNING" not in log, log


def test_every_page_of_docs_is_in_the_site(built_site):
    site, _log, _ = built_site
    for page in (ROOT / "docs").glob("*.md"):
        assert (site / page.stem / "index.html").exists() or page.stem == "index", page.name


def test_internal_links_of_the_built_site_resolve(built_site):
    """Every relative href in the HTML points at a file that was built."""
    site, _log, _ = built_site
    broken = []
    for html in site.rglob("*.html"):
        for href in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', html.read_text(encoding="utf-8")):
            if href.startswith(("/", "mailto")):
                continue
            target = (html.parent / href).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{html.relative_to(site)} -> {href}")
    assert not broken, broken[:20]


def test_api_reference_renders_the_pure_run(built_site):
    site, _log, _ = built_site
    page = (site / "api" / "run" / "index.html").read_text(encoding="utf-8")
    assert "territoire_abm.run.simulate" in page
