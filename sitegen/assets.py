"""Static files: theme assets and item attachments, as OutputFiles to copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .model import Site
from .output import OutputFile


def asset_files(site: Site, theme_dir: Path) -> Iterator[OutputFile]:
    """Theme static files under assets/, then every published attachment."""
    static = theme_dir / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            rel = path.relative_to(static).as_posix()
            if rel.startswith("fonts/") and not _needs_fonts(site):
                continue
            yield OutputFile(f"assets/{rel}", source=path)
    root = site.config.root
    for edition in site.editions[:1]:  # attachments are shared: the Yi edition links to these
        for entry in edition.entries:
            for attachment in entry.item.attachments:
                yield OutputFile(entry.attachment_path(attachment), source=root / attachment.source)


def _needs_fonts(site: Site) -> bool:
    return len(site.editions) > 1
