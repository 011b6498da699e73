"""Bench: bare-tui on a real-sized BARE study, every step a team runs, each timed in a process of its own.

    nice -n 19 python bench/bare_scale.py [--quick] [--steps import,stats,...] [--cache DIR] [--keep] [--session DB]

The study (bench/scale_study.py) is built once and cached under --cache (default $XDG_CACHE_HOME/bare-tui-bench,
else ~/.cache/bare-tui-bench): 4,276 real source files of 60 to 2,000 lines in the nine languages, 57 models'
answers to each (243,732 attempts: refactorings, answers in prose, partial, broken, unchanged and no-code
answers), 1.46 million verdicts of an external pipeline, and three reviewers' labels of 4% of the attempts.
`--quick` uses 176 files (10,032 attempts) for a smoke run.

The steps, through the public command only (`bare-tui`), so that the bench outlives rewrites of the store and
the screens: import the study, then the external verdicts (`--source ext`); two reviewers' copies of the session
(file copies, each importing its reviewers' labels); merge both into the team's session, stats --by model;
verify a subset (stopped with Ctrl+C once it has done its share, as a team verifying in sittings does, so that
bare-tui's verdicts sit beside the imported ones); stats --by model again; the merge again (nothing new); export
attempts (JSON Lines and CSV), verdicts and judgements, each with its CPU time beside the wall time (a session
kept by an older bare-tui is first opened writable once, which migrates it, and that is timed too); then the screens, each the real `bare-tui review` / `bare-tui audit` driven by
Pilot (bench/scale_screens.py); the review screen's opening is timed in --review-opens separate processes and
the median printed with each open beside it. Peak memory is the largest resident set of the step's processes (wait4's
rusage: the command, or for verify its largest worker). A step that fails prints its error and the bench goes
on. Targets are issue 11's table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scale_study  # noqa: E402

from bare_tui.store import SCHEMA_VERSION  # noqa: E402

STEPS = (
    "import",
    "copies",
    "merge",
    "stats",
    "verify",
    "stats-after",
    "merge-again",
    "export",
    "queue",
    "audit",
    "stats-screen",
    "review",
)
FULL = {"tasks": 4_276, "models": 57}
QUICK = {"tasks": 176, "models": 57}
MB = 1024 * 1024


@dataclass
class Run:
    """One command's outcome: wall seconds, the peak resident set of its processes (MB), the largest size the
    watched session's WAL reached (bytes), exit status, and its output."""

    seconds: float
    peak_mb: float
    status: int
    stdout: str
    stderr: str
    wal_bytes: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # user + system of the command and the children it waited for

    def failed(self) -> str | None:
        if self.status in (0, 130) and "Traceback" not in self.stderr:
            return None
        tail = "\n".join((self.stderr or self.stdout).strip().splitlines()[-6:])
        return f"exit {self.status}: {tail}"


def cache_root(given: Path | None) -> Path:
    if given is not None:
        return given
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bare-tui-bench"


def bare_tui() -> list[str]:
    """The installed `bare-tui` command beside this interpreter, else its module run by this interpreter."""
    script = Path(sys.executable).with_name("bare-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bare_tui.cli"]


def run(
    argv: list[str],
    folder: Path,
    name: str,
    *,
    watch: Path | None = None,
    timeout: float = 3_600,
    on_output: object = None,
) -> Run:
    """Run a command in a new process group; its output goes to files in `folder`. With `on_output`, the
    command's stderr is a terminal (so that progress is drawn) and each chunk read from it is passed to
    `on_output(text, pid)`."""
    out_path, err_path = folder / f"{name}.out", folder / f"{name}.err"
    master = slave = None
    env = dict(os.environ, COLUMNS="120", LINES="40")
    # An installed package runs from its bytecode cache: a machine that sets PYTHONDONTWRITEBYTECODE (this one
    # does) would otherwise compile bare-tui's modules again in every command, about 0.1 s of CPU each start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        if on_output is not None:
            master, slave = pty.openpty()
            env["TERM"] = "xterm-256color"
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=out, stderr=slave if slave is not None else err, stdin=subprocess.DEVNULL,
            start_new_session=True, env=env,
        )  # fmt: skip
        if slave is not None:
            os.close(slave)
        wal = 0
        status, usage = None, None
        captured: list[str] = []
        while status is None:
            pid, raw, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(raw)
                break
            if master is not None:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    with contextlib.suppress(OSError):
                        chunk = os.read(master, 65536).decode("utf-8", "replace")
                        captured.append(chunk)
                        on_output(chunk, proc.pid)  # type: ignore[operator]
            else:
                time.sleep(0.05)
            if watch is not None:
                with contextlib.suppress(OSError):
                    wal = max(wal, Path(f"{watch}-wal").stat().st_size)
            if time.perf_counter() - started > timeout:
                os.killpg(proc.pid, signal.SIGTERM)
                _, raw, usage = os.wait4(proc.pid, 0)
                status = -signal.SIGTERM
        seconds = time.perf_counter() - started
        proc.returncode = status  # reaped by wait4 above: Popen must not wait again
        if master is not None:
            os.close(master)
    stderr = err_path.read_text("utf-8", "replace") + "".join(captured)
    stdout = out_path.read_text("utf-8", "replace") if out_path.stat().st_size < 20 * MB else ""
    peak = usage.ru_maxrss / 1024 if usage is not None else float("nan")
    cpu = usage.ru_utime + usage.ru_stime if usage is not None else float("nan")
    return Run(seconds, peak, status, stdout, stderr[-20_000:], wal, cpu_seconds=cpu)


def cached_share(path: Path) -> str:
    """How much of a file is in the page cache before a step reads it (util-linux's fincore), as a clause; empty
    where fincore is missing or fails."""
    tool = shutil.which("fincore")
    if tool is None:
        return ""
    found = subprocess.run(
        [tool, "--bytes", "--noheadings", "--output", "RES", str(path)], capture_output=True, text=True
    )
    try:
        resident = int(found.stdout.split()[0])
    except (IndexError, ValueError):
        return ""
    return f"; {resident / max(size(path), 1):.0%} of the session's file cached before it"


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def schema_version(session: Path) -> int:
    """The session's schema version (PRAGMA user_version), read without writing anything."""
    conn = sqlite3.connect(f"{session.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def count_lines(path: Path) -> int:
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(16 * MB):
            lines += chunk.count(b"\n")
    return lines


def study_folder(cache: Path, shape: dict[str, int]) -> Path:
    """The cached study of this shape, made by this version of the generator (a new version builds anew and
    drops the stale copies)."""
    stamp = scale_study.STUDY_VERSION
    prefix = f"study-{shape['tasks']}x{shape['models']}-"
    folder = cache / f"{prefix}{stamp}"
    for stale in cache.glob(f"{prefix}*"):
        if stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    return folder


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.cache = cache_root(args.cache)
        shape = QUICK if args.quick else FULL
        self.study = study_folder(self.cache, shape)
        self.work = self.cache / ("run-quick" if args.quick else "run")
        self.session = self.work / "team.db"
        self.copies = (self.work / "ana-cy.db", self.work / "ben.db")
        self.rows: list[tuple[str, str, str, str]] = []  # figure, measured, target, peak memory
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.peaks: dict[str, float] = {}
        self.manifest: dict[str, object] = {}

    # ----------------------------------------------------------------------------------------- plumbing
    def row(self, figure: str, measured: str, target: str, peak: float | None = None) -> None:
        memory = f"{peak:,.0f} MB" if peak is not None and peak == peak else "-"
        self.rows.append((figure, measured, target, memory))
        print(f"  {figure}: {measured}   [target {target}; peak {memory}]", flush=True)

    def command(self, name: str, *argv: str, watch: Path | None = None, **kw: object) -> Run | None:
        """Run `bare-tui ARGV` as step `name`; None (and the error printed) when it failed."""
        result = run([*bare_tui(), *argv], self.work, name, watch=watch, **kw)  # type: ignore[arg-type]
        self.peaks[name] = result.peak_mb
        problem = result.failed()
        if problem is not None:
            self.fail(name, problem)
            return None
        return result

    def fail(self, name: str, problem: str) -> None:
        message = f"step {name} failed: {problem}"
        self.errors.append(message)
        print(f"  ! {message}", flush=True)

    def ensure_study(self) -> None:
        manifest = self.study / "manifest.json"
        if not manifest.exists():
            shape = QUICK if self.args.quick else FULL
            print(f"building the study in {self.study} (once; cached) ...", flush=True)
            built = scale_study.build_apart(self.study, shape["tasks"], shape["models"])
            print(f"  built in {built['seconds']} s", flush=True)
        self.manifest = json.loads(manifest.read_text("utf-8"))
        m = self.manifest
        print(
            f"study: {m['tasks']:,} real files, {m['models']} models, {m['attempts']:,} attempts, "
            f"{m['verdicts']:,} external verdicts, {m['judged_attempts']:,} attempts labelled by 2-3 reviewers; "
            f"{m['study_bytes'] / MB:,.0f} MB of JSON Lines",
            flush=True,
        )
        short = []
        for language, facts in m["languages"].items():  # type: ignore[union-attr]
            if facts["real_files"] < facts["tasks"]:
                short.append(f"{language} {facts['real_files']} real files for {facts['tasks']} tasks")
        if short:
            self.notes.append(
                "too few real files, reused under other paths (reused-N/...): " + "; ".join(short) + " (files of "
                f"{scale_study.MIN_LINES}-{scale_study.MAX_LINES} lines from the stdlib, the venv's packages and "
                "tests/unit/pipeline/data)"
            )
        kinds = ", ".join(f"{k} {v / m['attempts']:.0%}" for k, v in m["kinds"].items())  # type: ignore[union-attr, operator]
        self.notes.append(f"answers: {kinds}")

    # ----------------------------------------------------------------------------------------- steps
    def step_import(self) -> None:
        attempts = int(self.manifest["attempts"])  # type: ignore[call-overload]
        result = self.command("import", "import", str(self.session), str(self.study / "study.jsonl"), "--quiet")
        if result:
            rate = attempts / result.seconds
            self.row(
                "import: tasks and attempts", f"{result.seconds:,.0f} s ({rate:,.0f} attempts/s)", "minutes, 1 GB",
                result.peak_mb,
            )  # fmt: skip
        result = self.command(
            "import-verdicts",
            "import", str(self.session), str(self.study / "verdicts-ext.jsonl"), "--source", "ext", "--quiet",
        )  # fmt: skip
        if result:
            verdicts = int(self.manifest["verdicts"])  # type: ignore[call-overload]
            self.row(
                "import: external verdicts (--source ext)",
                f"{result.seconds:,.0f} s ({verdicts / result.seconds:,.0f} verdicts/s)", "minutes, 1 GB",
                result.peak_mb,
            )  # fmt: skip
        if self.session.exists():
            self.row("session size after import", f"{size(self.session) / MB:,.0f} MB", "-")

    def step_copies(self) -> None:
        for copy, labels in zip(self.copies, ("judgements-a.jsonl", "judgements-b.jsonl")):
            started = time.perf_counter()
            shutil.copyfile(self.session, copy)
            if Path(f"{self.session}-wal").exists():
                shutil.copyfile(f"{self.session}-wal", f"{copy}-wal")
            copied = time.perf_counter() - started
            result = self.command(f"labels-{copy.stem}", "import", str(copy), str(self.study / labels), "--quiet")
            if result:
                lines = count_lines(self.study / labels)
                self.row(
                    f"reviewer's copy {copy.name}: file copy, then {lines:,} labels imported",
                    f"{copied:,.1f} s + {result.seconds:,.1f} s", "-", result.peak_mb,
                )  # fmt: skip

    def step_merge(self, again: bool = False) -> None:
        name = "merge-again" if again else "merge"
        result = self.command(name, "merge", str(self.session), *map(str, self.copies), watch=self.session)
        if result:
            what = "merge when nothing is new (copies taken before verify)" if again else "merge of two copies"
            self.row(what, f"{result.seconds:,.0f} s, WAL up to {result.wal_bytes / MB:,.0f} MB", "60 s, 1 GB",
                     result.peak_mb)  # fmt: skip

    def step_stats(self, after: bool = False) -> None:
        name = "stats-after" if after else "stats"
        output = self.work / f"{name}.csv"
        result = self.command(name, "stats", str(self.session), "--by", "model", "--format", "csv", "-o", str(output))
        if result:
            sources = "ext and bare-tui verdicts" if after else "ext verdicts only"
            rows = count_lines(output) - 1 if output.exists() else 0
            self.row(f"stats --by model ({sources})", f"{result.seconds:,.1f} s ({rows:,} rows)", "5 s",
                     result.peak_mb)  # fmt: skip

    def step_verify(self) -> None:
        attempts = int(self.manifest["attempts"])  # type: ignore[call-overload]
        target = max(1, round(attempts * self.args.verify_share))
        progress = re.compile(r"([\d,]+) / ([\d,]+) attempts")
        stopped: dict[str, float] = {}

        def watch(chunk: str, pid: int) -> None:
            # The time cap counts from the first attempt: Ctrl+C while the thresholds are measured keeps nothing.
            found = progress.findall(chunk)
            if not found:
                return
            done = int(found[-1][0].replace(",", ""))
            stopped.setdefault("first", time.perf_counter())
            late = time.perf_counter() - stopped["first"] > self.args.verify_seconds
            if "at" not in stopped and (done >= target or late):
                stopped["at"] = time.perf_counter()
                os.killpg(pid, signal.SIGINT)  # Ctrl+C, as a terminal sends it: to the whole process group

        began = time.perf_counter()
        result = self.command("verify", "verify", str(self.session), "--jobs", str(self.args.jobs), on_output=watch)
        if not result:
            return
        verified = re.search(r"verified (\d+) of (\d+) attempts needing it \((\d+) in the session\) in ([\d.]+) s",
                             result.stdout)  # fmt: skip
        thresholds = re.search(r"measured ([\d,]+) of ([\d,]+) originals in ([\d.]+) s", result.stdout)
        if not verified:
            self.fail("verify", "no summary line: " + result.stdout[-500:])
            return
        done = int(verified.group(1))
        measured = f"; thresholds of {thresholds.group(1)} originals {thresholds.group(3)} s" if thresholds else ""
        working = result.seconds - (float(thresholds.group(3)) if thresholds else 0)
        self.row(
            f"verify a subset ({done:,} attempts, {done / attempts:.1%} of the study; Ctrl+C after its share)",
            f"{result.seconds:,.0f} s ({done / max(working, 1e-9):,.1f} attempts/s{measured})", "-",
            result.peak_mb,
        )  # fmt: skip
        self.notes.append(
            f"verify subset: {self.args.verify_share:.1%} asked ({target:,} attempts), {done:,} kept; "
            f"stopped {stopped['at'] - began:,.0f} s after start"
            if "at" in stopped
            else "verify ran to the end"
        )

    def step_export(self) -> None:
        version = schema_version(self.session)
        if version < SCHEMA_VERSION:  # a session kept by an older bare-tui: the exports open it read-only
            result = self.command("upgrade", "plan", str(self.session))  # lists plans; opened writable, it migrates
            if result:
                self.row(f"schema {version} -> {SCHEMA_VERSION} on open (`bare-tui plan SESSION`, once)",
                         f"{result.seconds:,.1f} s, session now {size(self.session) / MB:,.0f} MB", "-",
                         result.peak_mb)  # fmt: skip
        # What earlier steps wrote (the session's copy, 2.6 GB, when --session starts the run) goes to disk first:
        # the kernel writing it back while an export writes its 1.8 GB slowed the export by a third, once.
        os.sync()
        # Each attempts export runs twice: first as the step finds the session's pages (a machine that reclaims
        # idle file pages has dropped some: this VM's DAMON pages out what was not read for a minute, and the first
        # export then reads the 2.5 GB from disk), then again with them cached. The share cached is said before each.
        runs = (("attempts", "jsonl", ""), ("attempts", "jsonl", " (again)"), ("attempts", "csv", ""),
                ("attempts", "csv", " (again)"), ("verdicts", "jsonl", ""), ("judgements", "jsonl", ""))  # fmt: skip
        for what, fmt, again in runs:
            output = self.work / f"export-{what}.{fmt}"
            argv = ["export", str(self.session), "--what", what, "--format", fmt, "-o", str(output)]
            cached = cached_share(self.session) if what == "attempts" else ""
            result = self.command(f"export-{what}-{fmt}" + ("-again" if again else ""), *argv)
            exported = re.search(r"exported (\d+)", result.stderr) if result else None
            if result and exported and output.exists():
                rows = int(exported.group(1))
                megabytes = output.stat().st_size / MB
                self.row(f"export --what {what}" + (" --format csv" if fmt == "csv" else "") + again,
                         f"{rows / result.seconds:,.0f} rows/s, {megabytes / result.seconds:,.0f} MB/s ({rows:,} rows, "
                         f"{megabytes:,.0f} MB, {result.seconds:,.1f} s; CPU of its processes {result.cpu_seconds:,.1f} s: "
                         f"{rows / max(result.cpu_seconds, 1e-9):,.0f} rows/s{cached})",
                         "100k rows/s, constant memory", result.peak_mb)  # fmt: skip
            output.unlink(missing_ok=True)

    def screen(self, scenario: str, *extra: str, name: str = "") -> dict[str, object] | None:
        name = name or f"screen-{scenario}"
        argv = [
            sys.executable, str(BENCH / "scale_screens.py"), scenario, str(self.session), "--reviewer",
            "eve" if scenario == "audit" else "ana", "--attempts", str(self.manifest["attempts"]), *extra,
            "--spawned", repr(time.time()),
        ]  # fmt: skip
        result = run(argv, self.work, name, timeout=1_800)
        self.peaks[name] = result.peak_mb
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if not lines:
            self.fail(name, result.failed() or "no figures printed")
            return None
        figures: dict[str, object] = json.loads(lines[-1])
        figures["peak_mb"] = result.peak_mb
        figures["seconds"] = result.seconds
        for error in figures.get("errors", []):  # type: ignore[union-attr]
            self.fail(name, str(error))
        for note in figures.get("notes", []):  # type: ignore[union-attr]
            self.notes.append(str(note))
        return figures

    def step_queue(self) -> None:
        f = self.screen("queue")
        if not f:
            return
        peak = f["peak_mb"]  # type: ignore[assignment]
        if "queue_all_rows_ms" in f:
            cpu = ""
            if "queue_all_rows_cpu_ms" in f:
                every, loop = float(f["queue_all_rows_cpu_ms"]), float(f["queue_all_rows_loop_cpu_ms"])  # type: ignore[arg-type]
                cpu = f" (CPU {every:,.0f} ms, of it the event loop's {loop:,.0f} ms)"
            self.row("queue: q to all rows", ms(f["queue_all_rows_ms"]) + cpu, "1 s", peak)  # type: ignore[arg-type]
        filters = f.get("filter_ms") or {}
        if filters:
            values = list(filters.values())  # type: ignore[union-attr]
            rows = f.get("filter_rows") or {}
            each = "; ".join(f"{k} {v:,.0f} ms to {rows.get(k) or 0:,} rows" for k, v in filters.items())  # type: ignore
            self.row("queue filters", f"median {statistics.median(values):,.0f} ms, max {max(values):,.0f} ms ({each})",
                     "100 ms", peak)  # fmt: skip
        if "queue_return_ms" in f:
            self.row("queue: return from an attempt", ms(f["queue_return_ms"]), "1 s", peak)  # type: ignore[arg-type]

    def step_audit(self) -> None:
        f = self.screen("audit")
        if f and "audit_list_ms" in f:
            cpu = f" (CPU {f['audit_list_cpu_ms']:,.0f} ms)" if "audit_list_cpu_ms" in f else ""
            self.row(f"audit list ({f.get('audit_items') or 0:,} items, `bare-tui audit` started to list painted)",
                     ms(f["audit_list_ms"] + f.get("process_start_ms", 0)) + cpu, "1 s", f["peak_mb"])  # type: ignore  # fmt: skip

    def step_stats_screen(self) -> None:
        f = self.screen("stats")
        if f and "stats_screen_ms" in f:
            self.row("statistics screen (from the review screen)", ms(f["stats_screen_ms"]), "5 s", f["peak_mb"])  # type: ignore[arg-type]

    def step_review(self) -> None:
        f = self.screen("review")
        if not f:
            return
        peak = f["peak_mb"]  # type: ignore[assignment]
        opens = [f] + [
            again
            for i in range(1, self.args.review_opens)
            if (again := self.screen("review", "--open-only", name=f"screen-review-open-{i}"))
        ]
        timed = [(float(o["open_first_paint_ms"]) + float(o.get("process_start_ms", 0.0)),  # type: ignore[arg-type]
                  float(o["open_usable_ms"]) + float(o.get("process_start_ms", 0.0)),  # type: ignore[arg-type]
                  float(o.get("process_start_ms", 0.0)))  # type: ignore[arg-type]
                 for o in opens if "open_usable_ms" in o]  # fmt: skip
        if timed:
            # One open is one sample of a shared machine's noise: the median of several separate `bare-tui review`
            # processes is the figure, and every open is printed beside it (the first is the run's coldest).
            paint, usable, start = (statistics.median(column) for column in zip(*timed, strict=True))
            each = ", ".join(f"{a:,.0f}/{b:,.0f}" for a, b, _ in timed)
            self.row(
                f"review screen open: first paint / usable (from `bare-tui review` started), median of {len(timed)}",
                f"{ms(paint)} / {ms(usable)} ({start:,.0f} ms of it Python starting and importing; each open, "
                f"first paint/usable ms: {each})",
                "0.3 s / 1 s", max(float(o["peak_mb"]) for o in opens),  # type: ignore[arg-type]
            )  # fmt: skip
        self.review_on_a_terminal()
        if "undo_median_ms" in f:
            self.row(f"undo (backspace), median / p90 / max of {len(f['undo_ms'])}",  # type: ignore[arg-type]
                     f"{f['undo_median_ms']:,.0f} / {f['undo_p90_ms']:,.0f} / {f['undo_max_ms']:,.0f} ms",
                     "50 ms", peak)  # fmt: skip
        if "next_median_ms" in f:
            self.row(f"next attempt (n), median / p90 / max of {len(f['next_ms'])}",  # type: ignore[arg-type]
                     f"{f['next_median_ms']:,.0f} / {f['next_p90_ms']:,.0f} / {f['next_max_ms']:,.0f} ms",
                     "50 ms, every time", peak)  # fmt: skip

    def review_on_a_terminal(self) -> None:
        """The review screen's opening as a terminal sees it (bench/first_frame_pty.py): the real `bare-tui
        review` in a pseudo-terminal, nothing hooked inside it, timed by the bytes it writes; beside the headless
        figure above, whose process also runs the bench's own code (scale_screens' imports, its probes, Pilot)."""
        import first_frame_pty

        env = dict(os.environ, TERM="xterm-256color")
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed bare-tui runs from its bytecode cache
        argv = [*bare_tui(), "review", str(self.session), "--reviewer", "ana"]
        # An empty Textual app opened the same way, in turn with the review: the floor at this moment of the
        # machine (on this VM it moved between 245 and 349 ms in one day), for the figure to be read against.
        empty = [sys.executable, "-c", first_frame_pty.EMPTY_APP]
        opens, floors = [], []
        for _ in range(self.args.review_opens):
            opens.append(first_frame_pty.open_once(argv, (120, 40), env))
            floors.append(first_frame_pty.open_once(empty, (120, 40), env)["header"])
        seen = [(o["frame"], o["header"]) for o in opens if o["frame"] is not None and o["header"] is not None]
        if not seen:
            self.fail("review on a terminal", "the header never reached the terminal")
            return
        frame, header = (statistics.median(column) * 1000 for column in zip(*seen, strict=True))
        each = ", ".join(f"{a * 1000:,.0f}/{b * 1000:,.0f}" for a, b in seen)
        drawn = [floor for floor in floors if floor is not None]
        floor = f"; an empty Textual app, opened in turn: {ms(statistics.median(drawn) * 1000)}" if drawn else ""
        self.row(
            f"review screen first paint on a terminal: first frame / header shown (`bare-tui review` in a pty "
            f"with synchronized output, from its start), median of {len(seen)}",
            f"{ms(frame)} / {ms(header)} (each open: {each}{floor})",
            "0.3 s",
        )

    # ----------------------------------------------------------------------------------------- the run
    def main(self) -> int:
        # A shell starts a background job with SIGINT ignored, and an ignored signal stays ignored across exec:
        # verify would then never see the bench's Ctrl+C and run the whole study. A handler of our own is
        # reset to the default at exec, so every command below can be interrupted as from a terminal.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        started = time.perf_counter()
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} cores: wall times include waiting for other programs")
        print("commands run with their bytecode cache (PYTHONDONTWRITEBYTECODE unset), as an installed package does")
        self.cache.mkdir(parents=True, exist_ok=True)
        self.ensure_study()
        chosen = [s for s in STEPS if s in self.args.steps]
        if self.args.session is not None and self.args.session.resolve().is_relative_to(self.work.resolve()):
            # the run folder is cleared next: a session a --keep run left there would be deleted before the copy
            print(
                f"{self.args.session} is in the run folder {self.work}, which the bench clears first: move it out "
                "(for example to the cache folder) and pass its new path",
                file=sys.stderr,
            )
            return 2
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        if self.args.session is not None:
            print(f"copying {self.args.session} to {self.session} (the steps run on the copy) ...", flush=True)
            shutil.copyfile(self.args.session, self.session)
            wal = Path(f"{self.args.session}-wal")
            if wal.exists():  # committed pages not yet checkpointed live here: without it the copy is older
                shutil.copyfile(wal, f"{self.session}-wal")
        timed = time.perf_counter()
        actions = {
            "import": self.step_import,
            "copies": self.step_copies,
            "merge": self.step_merge,
            "stats": self.step_stats,
            "verify": self.step_verify,
            "stats-after": lambda: self.step_stats(after=True),
            "merge-again": lambda: self.step_merge(again=True),
            "export": self.step_export,
            "queue": self.step_queue,
            "audit": self.step_audit,
            "stats-screen": self.step_stats_screen,
            "review": self.step_review,
        }
        for step in chosen:
            print(f"[{time.perf_counter() - timed:6.0f} s] {step}", flush=True)
            try:
                actions[step]()
            except Exception as exc:  # noqa: BLE001 - a step that breaks the bench itself is reported, the rest run
                self.fail(step, repr(exc))
        wall = time.perf_counter() - timed
        if self.session.exists():
            self.row("session size on disk at the end", f"{size(self.session) / MB:,.0f} MB", "-")
        if self.peaks:
            worst = max(self.peaks, key=lambda k: self.peaks[k])
            self.row("largest peak memory of any step", f"{self.peaks[worst]:,.0f} MB ({worst})", "1 GB")
        self.report(wall, time.perf_counter() - started, load)
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        return 1 if self.errors else 0

    def report(self, steps_wall: float, total_wall: float, load: float) -> None:
        m = self.manifest
        print()
        print(
            f"bare-tui at BARE scale: {m['attempts']:,} attempts ({m['tasks']:,} files x {m['models']} models), "
            f"{m['verdicts']:,} external verdicts, {m['judged_attempts']:,} attempts labelled"
        )
        header = ("figure", "measured", "target", "peak memory")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(4)]
        for line in [header, tuple("-" * w for w in widths), *self.rows]:
            print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        print()
        print(f"steps' wall time {steps_wall / 60:,.1f} min (target: the whole bench under 25 min on 2 cores); "
              f"with the study's check or build {total_wall / 60:,.1f} min; load average at start {load:.1f}, "
              f"at end {os.getloadavg()[0]:.1f}")  # fmt: skip
        for note in self.notes:
            print(f"note: {note}")
        for error in self.errors:
            print(f"error: {error}")


def ms(value: float) -> str:
    return f"{value / 1000:,.2f} s" if value >= 1000 else f"{value:,.0f} ms"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10,032-attempt study: a smoke run")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of: {','.join(STEPS)}")
    parser.add_argument("--cache", type=Path, default=None, help="where the study (and the run's sessions) live")
    parser.add_argument("--keep", action="store_true", help="keep the run's sessions (in the cache's run folder)")
    parser.add_argument(
        "--session",
        type=Path,
        default=None,
        help="start from a copy of this session (one a --keep run left, moved out of the run folder, which every run "
        "clears) instead of an empty one: with --steps, time "
        "the later steps again without importing the study again",
    )
    parser.add_argument("--verify-share", type=float, default=0.01, help="share of attempts verify does (0.01)")
    parser.add_argument(
        "--verify-seconds", type=float, default=300, help="Ctrl+C verify once it has verified this long at most (300)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="verify's worker processes (2)")
    parser.add_argument(
        "--review-opens", type=int, default=5, help="separate `bare-tui review` opens timed, median printed (5)"
    )
    args = parser.parse_args(argv)
    args.steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {', '.join(sorted(unknown))}; the steps are {', '.join(STEPS)}")
    return args


if __name__ == "__main__":
    sys.exit(Bench(parse_args()).main())
