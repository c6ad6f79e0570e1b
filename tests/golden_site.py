"""Whole-site golden output: build tests/golden/site and compare with tests/golden/expected/.

Regenerate after a deliberate change to templates, theme or output format, then review the diff:
    python tests/golden_site.py --regen && git diff --stat tests/golden/expected
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
TODAY = dt.date(2025, 12, 31)


def build_golden(work: Path) -> Path:
    """Build the golden fixture site inside `work`; returns the output folder."""
    sys.path.insert(0, str(REPO))
    from sitegen.build import BuildOptions, build

    root = work / "site"
    shutil.copytree(GOLDEN / "site", root)
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(REPO / "data" / "i18n", root / "data" / "i18n")
    out = work / "output"
    build(BuildOptions(root=root, out=out, today=TODAY))
    return out


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the build marker excluded): relative path → bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".sitegen-output"
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--regen", action="store_true", help="rewrite tests/golden/expected from a fresh build"
    )
    args = ap.parse_args()
    if not args.regen:
        ap.error("nothing to do: pass --regen")
    with tempfile.TemporaryDirectory() as tmp:
        out = build_golden(Path(tmp))
        expected = GOLDEN / "expected"
        if expected.exists():
            shutil.rmtree(expected)
        shutil.copytree(out, expected, ignore=shutil.ignore_patterns(".sitegen-output"))
    print(f"wrote {len(tree(expected))} files to {expected.relative_to(REPO)}")


if __name__ == "__main__":
    main()
