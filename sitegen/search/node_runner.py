"""Run the theme's search engine under Node on a written index (for tests and the bench)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

THEME_STATIC = Path(__file__).resolve().parents[2] / "themes" / "default" / "static"
"""The default theme's static folder (holds search/search.js, search/tokenizer.js, vendor/)."""

RUNNER = Path(__file__).with_name("engine_node.js")


def node_available() -> bool:
    """Whether a ``node`` executable is on PATH."""
    return shutil.which("node") is not None


def write_index(files: Mapping[str, bytes], folder: Path) -> None:
    """Write build_search_index() output under ``folder``."""
    for rel, content in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def run_engine(
    index_dir: Path, requests: Sequence[Mapping[str, Any]], static_dir: Path = THEME_STATIC
) -> list[dict[str, Any]]:
    """Answers of search.js for ``requests`` (see engine_node.js for their shape)."""
    proc = subprocess.run(
        ["node", str(RUNNER), str(static_dir), str(index_dir)],
        input=json.dumps(list(requests)),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"search engine failed under node:\n{proc.stderr}")
    answers: list[dict[str, Any]] = json.loads(proc.stdout)
    return answers
