"""`sitegen check`: a summary per check on stdout, diagnostics on stderr, exit 1 on errors, and
nothing written. Also the timeliness warning W160 (published > 20 working days after `written`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
FOLDER = "content/items/shehui-jiuzhu"
TODAY = "2025-12-31"


def sitegen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "sitegen.cli", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def make_site(root: Path, *fixtures: str) -> Path:
    for name in ("data", "themes"):
        shutil.copytree(REPO / name, root / name)
    (root / FOLDER).mkdir(parents=True)
    for name in fixtures:
        shutil.copyfile(HOSTILE / name, root / FOLDER / name)
    return root


def summary(stdout: str) -> dict[str, str]:
    """Check name → its result line ("通过", "1 个错误", …) from the summary on stdout."""
    return dict(re.findall(r"^  (\S+)：(.+)$", stdout, re.MULTILINE))


def nothing_written(root: Path) -> bool:
    return (
        sorted(p.name for p in root.iterdir()) == ["content", "data", "themes"]
        and not (root / "data" / "index_numbers.yml").exists()
    )


def test_check_with_errors_exits_1_and_summarises_per_check(tmp_path: Path) -> None:
    root = make_site(
        tmp_path, "id-number.md", "script.md", "unknown-domain.md", "late.md", "bom.md"
    )
    proc = sitegen("check", "--root", root, "--today", TODAY)
    assert proc.returncode == 1
    assert "检查完成：3 个错误，" in proc.stdout
    checks = summary(proc.stdout)
    assert checks["个人信息"] == "1 个错误"
    assert checks["正文安全"] == "1 个错误"
    assert checks["元数据"] == "1 个错误"
    assert checks["公开时限"] == "1 个警告"
    assert checks["文件编码"] == "1 个警告"
    assert checks["索引号与网址"] == "通过" and checks["附件与站内链接"] == "通过"
    # the diagnostics themselves go to stderr, in source order, with file, line and code
    assert f"{FOLDER}/id-number.md:10:10: 错误 [E301]" in proc.stderr
    assert f"{FOLDER}/script.md:10:1: 错误 [E212]" in proc.stderr
    assert f"{FOLDER}/unknown-domain.md:3:1: 错误 [E151]" in proc.stderr
    assert f"{FOLDER}/late.md:5:1: 警告 [W160]" in proc.stderr
    assert nothing_written(root)


def test_clean_check_exits_0_and_writes_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path, "masked.md", "chinese-aliases.md")
    proc = sitegen("check", "--root", root, "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    assert "检查完成：0 个错误，" in proc.stdout
    checks = summary(proc.stdout)
    for name in (
        "元数据",
        "个人信息",
        "正文安全",
        "附件与站内链接",
        "索引号与网址",
        "公开时限",
        "文件编码",
    ):
        assert checks[name] == "通过", name
    assert "错误 [" not in proc.stderr
    assert nothing_written(root)


def test_privacy_exception_is_counted_as_a_warning(tmp_path: Path) -> None:
    root = make_site(tmp_path, "privacy-exception.md")
    proc = sitegen("check", "--root", root, "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    assert summary(proc.stdout)["个人信息"] == "1 个警告"
    assert "[W301]" in proc.stderr and "第六条" in proc.stderr


def test_broken_configuration_says_nothing_else_ran(tmp_path: Path) -> None:
    root = make_site(tmp_path, "masked.md")
    site_yml = root / "data" / "site.yml"
    site_yml.write_text(
        site_yml.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8"
    )
    proc = sitegen("check", "--root", root, "--today", TODAY)
    assert proc.returncode == 1
    assert "data/site.yml" in proc.stderr
    checks = summary(proc.stdout)
    assert checks["配置"].endswith("个错误")
    assert "其余检查没有运行" in proc.stdout and "个人信息" not in checks


# ---- W160 timeliness ---------------------------------------------------------------------------


def _item(name: str, written: str, date: str) -> str:
    return (
        "---\n"
        f"title: 关于{name}的公告\n"
        "domain: 社会救助\n"
        "stage: 结果\n"
        f"date: {date}\n"
        "department: 县民政局\n"
        f"written: {written}\n"
        f"slug: {name}\n"
        "---\n"
        "正文。\n"
    )


TIMELINESS = [
    ("in-time", "2024-07-01", "2024-07-29", None),  # exactly 20 working days: in time
    ("one-day-late", "2024-07-01", "2024-07-30", 21),
    # National Day 2024: Oct 1-7 off, Sun Sep 29 and Sat Oct 12 are working days
    ("holiday-in-time", "2024-09-27", "2024-10-30", None),
    ("holiday-late", "2024-09-27", "2024-10-31", 21),
    ("same-day", "2024-06-05", "2024-06-05", None),
    ("half-year", "2024-01-02", "2024-06-05", 106),
]


def test_w160_counts_working_days(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    for name, written, date, _ in TIMELINESS:
        (root / FOLDER / f"{name}.md").write_text(_item(name, written, date), encoding="utf-8")
    proc = sitegen("check", "--root", root, "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    w160 = re.findall(r"^(.*):(\d+):\d+: 警告 \[W160\] (.*)$", proc.stderr, re.MULTILINE)
    assert sorted(w160) == sorted(
        (
            f"{FOLDER}/{name}.md",
            "5",
            f"发布日期比成文日期晚 {late} 个工作日，超过《条例》规定的 20 个工作日",
        )
        for name, _, _, late in TIMELINESS
        if late is not None
    )
    assert summary(proc.stdout)["公开时限"] == "3 个警告"


def test_w160_does_not_stop_a_build(tmp_path: Path) -> None:
    root = make_site(tmp_path, "late.md")
    proc = sitegen("build", "--root", root, "--out", root / "output", "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    assert f"{FOLDER}/late.md:5:1: 警告 [W160] 发布日期比成文日期晚 106 个工作日" in proc.stderr
    assert (root / "output" / "shehui-jiuzhu" / "late.html").is_file()
