"""`sitegen mask` and `sitegen fix-encoding` through the real command line (subprocess)."""

from __future__ import annotations

import os
import pty
import select
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.encoding import decode_bytes
from sitegen.privacy import find_personal_numbers

REPO = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
ID, MOBILE, CARD = "513434198506120021", "13912345678", "6217001234567890122"
ID_M, MOBILE_M, CARD_M = "513434********0021", "139****5678", "***************0122"

ITEM = (
    "---\r\n"
    "title: 2024年低保对象名单\r\n"
    "domain: 社会救助\r\n"
    "stage: 结果\r\n"
    "date: 2024-06-05\r\n"
    "department: 县民政局\r\n"
    "index_no: 11513400MB0000102B/2024-00012\r\n"
    "---\r\n"
    f"| 姓名 | 身份证号 | 电话 | 卡号 |\r\n"
    f"|---|---|---|---|\r\n"
    f"| 张某某 | {ID} | {MOBILE} | {CARD} |\r\n"
    "| 李某某 | 513434********0021 | 139****5678 | 无 |\r\n"
)


def sitegen(*args: str | Path, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "sitegen.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        input=stdin,
        timeout=60,
        check=False,
    )


@pytest.fixture
def item(tmp_path: Path) -> Path:
    path = tmp_path / "dibao.md"
    path.write_bytes(ITEM.encode("utf-8"))
    path.chmod(0o640)
    return path


# ---- mask ---------------------------------------------------------------------------------------


def test_mask_without_terminal_shows_diff_and_changes_nothing(item: Path) -> None:
    proc = sitegen("mask", item.name, cwd=item.parent)
    assert proc.returncode == 1
    assert item.read_bytes() == ITEM.encode("utf-8")
    out = proc.stdout
    assert f"dibao.md:11:9: 身份证号 {ID} → {ID_M}" in out
    assert f"手机号码 {MOBILE} → {MOBILE_M}" in out and f"银行卡号 {CARD} → {CARD_M}" in out
    assert "--- a/dibao.md\n+++ b/dibao.md\n" in out
    assert f"-| 张某某 | {ID} | {MOBILE} | {CARD} |\n" in out
    assert f"+| 张某某 | {ID_M} | {MOBILE_M} | {CARD_M} |\n" in out
    assert "\r" not in out  # the diff does not show line endings
    assert "共 1 个文件、3 处需要遮盖" in out
    assert "--yes" in proc.stderr and "未改动" in proc.stderr
    assert "确认修改" not in out


def test_mask_yes_rewrites_only_the_numbers(item: Path) -> None:
    proc = sitegen("mask", "--yes", item.name, cwd=item.parent)
    assert proc.returncode == 0, proc.stderr
    expected = ITEM.replace(ID, ID_M, 1).replace(MOBILE, MOBILE_M).replace(CARD, CARD_M)
    assert item.read_bytes() == expected.encode("utf-8")  # CRLF kept, nothing else touched
    assert find_personal_numbers(item.read_text(encoding="utf-8")) == []
    assert "11513400MB0000102B/2024-00012" in item.read_text(encoding="utf-8")  # not a number
    assert stat.S_IMODE(item.stat().st_mode) == 0o640
    assert sorted(p.name for p in item.parent.iterdir()) == ["dibao.md"]  # no temp file left
    assert "已改写 dibao.md：遮盖 3 处" in proc.stdout
    again = sitegen("mask", "--yes", item.name, cwd=item.parent)
    assert again.returncode == 0 and "没有发现" in again.stdout


def test_mask_keeps_bom_and_full_width_digits(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    full = MOBILE.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    path.write_bytes(b"\xef\xbb\xbf" + f"电话：{full}\n".encode())
    proc = sitegen("mask", "--yes", "a.md", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert path.read_bytes() == b"\xef\xbb\xbf" + "电话：１３９****５６７８\n".encode()
    assert "a.md:1:4: 手机号码" in proc.stdout  # column counted without the BOM


def _interactive_mask(path: Path, answer: bytes) -> tuple[int, str]:
    """Run `sitegen mask` with a terminal as stdin, answer the prompt, return (exit, output)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen.cli", "mask", path.name],
        cwd=path.parent,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    os.close(follower)
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 30
    while "确认修改？[y/N]".encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    os.write(leader, answer)
    rest, _ = proc.communicate(timeout=30)
    os.close(leader)
    return proc.returncode, (seen + rest).decode("utf-8")


def test_mask_asks_and_y_rewrites(item: Path) -> None:
    code, out = _interactive_mask(item, b"y\n")
    assert "确认修改？[y/N]" in out
    assert code == 0, out
    assert ID not in item.read_text(encoding="utf-8")


@pytest.mark.parametrize("answer", [b"\n", b"n\n", b"no\n"])
def test_mask_asks_and_anything_else_keeps_the_file(item: Path, answer: bytes) -> None:
    code, out = _interactive_mask(item, answer)
    assert code == 1 and "已取消" in out
    assert item.read_bytes() == ITEM.encode("utf-8")


def test_mask_refuses_gbk_and_missing_files(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.md"
    gbk.write_bytes(f"电话 {MOBILE}\n".encode("gbk"))
    proc = sitegen("mask", "--yes", "gbk.md", cwd=tmp_path)
    assert proc.returncode == 1
    assert "gbk.md:1:1: 错误 [E101]" in proc.stderr and "fix-encoding" in proc.stderr
    assert gbk.read_bytes() == f"电话 {MOBILE}\n".encode("gbk")
    proc = sitegen("mask", "--yes", "nope.md", cwd=tmp_path)
    assert proc.returncode == 2 and "nope.md:0:0: 错误 [E021]" in proc.stderr


def test_mask_nothing_to_do(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        f"已遮盖：{ID_M}\n索引号 11513400MB0000102B/2024-00012\n", encoding="utf-8"
    )
    proc = sitegen("mask", "a.md", cwd=tmp_path)
    assert proc.returncode == 0 and "没有发现" in proc.stdout


# ---- fix-encoding -------------------------------------------------------------------------------


def test_fix_encoding_converts_and_reports(tmp_path: Path) -> None:
    names = {"gbk.md": "GBK", "bom.md": "UTF-8（带 BOM）", "utf16.md": "UTF-16"}
    for name in names:
        (tmp_path / name).write_bytes((HOSTILE / name).read_bytes())
        (tmp_path / name).chmod(0o600)
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes("标题\r\n正文\r\n".encode("gbk"))
    clean = tmp_path / "clean.md"
    clean.write_bytes("已是 UTF-8\n".encode())
    proc = sitegen("fix-encoding", *names, "crlf.md", "clean.md", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name, encoding in names.items():
        assert f"{name}：已从 {encoding} 转换为 UTF-8（无 BOM）" in proc.stdout
        data = (tmp_path / name).read_bytes()
        decoded, problems = decode_bytes(data, name)
        assert decoded is not None and problems == [] and "社会救助" in decoded.text
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert crlf.read_bytes() == "标题\r\n正文\r\n".encode()
    assert "clean.md：已是 UTF-8（无 BOM），未改动" in proc.stdout
    assert clean.read_bytes() == "已是 UTF-8\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, "crlf.md", "clean.md"])


def test_fix_encoding_refuses_binary_and_missing(tmp_path: Path) -> None:
    png = tmp_path / "x.md"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "ok.md").write_bytes("中文".encode("gbk"))
    proc = sitegen("fix-encoding", "x.md", "ok.md", cwd=tmp_path)
    assert proc.returncode == 1
    assert "x.md:0:0: 错误 [E101]" in proc.stderr and "未转换" in proc.stderr
    assert png.read_bytes() == b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert (tmp_path / "ok.md").read_bytes() == "中文".encode()  # the others are still done
    proc = sitegen("fix-encoding", "missing.md", cwd=tmp_path)
    assert proc.returncode == 2 and "[E021]" in proc.stderr


def test_fixed_file_builds(tmp_path: Path) -> None:
    """The editor's path: build fails with E101, fix-encoding, build passes."""
    import shutil

    root = tmp_path / "site"
    for name in ("data", "themes"):
        shutil.copytree(REPO / name, root / name)
    folder = root / "content" / "items" / "shehui-jiuzhu"
    folder.mkdir(parents=True)
    shutil.copyfile(HOSTILE / "gbk.md", folder / "gbk.md")
    args = ("build", "--root", root, "--out", root / "output", "--today", "2025-12-31")
    first = sitegen(*args, cwd=tmp_path)
    assert first.returncode == 1 and "[E101]" in first.stderr
    fixed = sitegen("fix-encoding", folder / "gbk.md", cwd=tmp_path)
    assert fixed.returncode == 0
    second = sitegen(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "<h1>测试</h1>" in (root / "output" / "shehui-jiuzhu" / "gbk.html").read_text(
        encoding="utf-8"
    )
