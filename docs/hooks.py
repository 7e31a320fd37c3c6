"""MkDocs hook: links from a page to repository files outside ``docs/`` become plain paths.

The Markdown pages are read in two places: on the forge, where ``../experiments/README.md``
is a working link, and on the built site, where that file does not exist. Rather than drop
those links from the pages, the site shows them as code spans (the repository path).
"""

from __future__ import annotations

import re

OUTSIDE_DOCS = re.compile(r"\[([^\]]+)\]\((\.\./[^)#\s]+)(#[^)]*)?\)")


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 (MkDocs API)
    """Replace ``[text](../path)`` by ``text (`path`)``."""
    return OUTSIDE_DOCS.sub(lambda m: f"{m.group(1)} (`{m.group(2)[3:]}`)", markdown)
