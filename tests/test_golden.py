"""The golden fixture site builds to exactly the checked-in expected output."""

from __future__ import annotations

import difflib
from pathlib import Path

from golden_site import GOLDEN, build_golden, tree


def test_golden_site_matches_expected_output(tmp_path: Path) -> None:
    actual = tree(build_golden(tmp_path))
    expected = tree(GOLDEN / "expected")
    hint = "if the change is deliberate: python tests/golden_site.py --regen, then review git diff"
    assert sorted(actual) == sorted(expected), f"file lists differ ({hint}): " + str(
        sorted(set(actual) ^ set(expected))[:20]
    )
    for name in expected:
        if actual[name] != expected[name]:
            diff = "\n".join(
                difflib.unified_diff(
                    expected[name].decode("utf-8", "replace").splitlines(),
                    actual[name].decode("utf-8", "replace").splitlines(),
                    f"expected/{name}",
                    f"actual/{name}",
                    lineterm="",
                    n=1,
                )
            )
            raise AssertionError(f"{name} differs ({hint}):\n{diff[:3000]}")


def test_golden_output_withholds_gated_items() -> None:
    blob = b"".join(tree(GOLDEN / "expected").values())
    assert b"GOLDEN-WITHHELD-MARKER" not in blob
    assert b"GOLDEN-FUTURE-MARKER" not in blob
