"""Processes the harness starts: commands timed with ``/usr/bin/time -v``, servers in their own process group
(stopped by that group's id on exit, Ctrl-C included), and a sampler of each worker's resident memory.

Linux only: memory is read from ``/proc`` (stdlib, no psutil).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.landuse.config import VAR

PIDS = VAR / "run"


class BenchError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class Timed:
    seconds: float
    peak_rss_mb: float
    output: str


def timed(cmd: list[str], env: dict | None = None, log: Path | None = None) -> Timed:
    """Run ``cmd`` to completion: wall time and peak RSS (largest process, ``/usr/bin/time -v``)."""
    report = VAR / "logs" / "time-v.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", "-o", str(report), *cmd], env=env, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - t0
    output = proc.stdout + proc.stderr
    if log:
        log.write_text(output)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd[:3])} … failed ({proc.returncode}):\n{output[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
    return Timed(seconds, int(m[1]) / 1024 if m else float("nan"), output)


def run(cmd: list[str], env: dict | None = None, stdin: str | None = None) -> str:
    """Run ``cmd``; its output, or a BenchError with the end of it."""
    proc = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        raise BenchError(f"{' '.join(cmd[:3])} … failed ({proc.returncode}):\n{output[-2000:]}")
    return proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (0 when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    m = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(m[1]) / 1024 if m else 0.0


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_time(pid: int) -> str:
    """Clock ticks since boot when ``pid`` started: with the pid, names one process even after pid reuse."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class Server:
    """One HTTP server: a master process and its workers, in a process group of its own."""

    name: str
    cmd: list[str]
    env: dict
    port: int
    ready_path: str
    proc: subprocess.Popen | None = None
    peak_rss: dict[int, float] = field(default_factory=dict)  # worker pid -> max MB seen
    start_rss: dict[int, float] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        log = VAR / "logs" / f"{self.name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        PIDS.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:
            self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        (PIDS / f"{self.name}.pid").write_text(f"{self.proc.pid} {_start_time(self.proc.pid)}\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited ({self.proc.returncode}); see {log}:\n"
                                 f"{log.read_text()[-1500:]}")
            if _answers(self.base + self.ready_path) and len(self.workers()) >= 1:
                self.start_rss = {pid: rss_mb(pid) for pid in self.workers()}
                return
            time.sleep(0.5)
        raise BenchError(f"{self.name} did not answer {self.ready_path} within {timeout:.0f} s; see {log}")

    def workers(self) -> list[int]:
        """Worker processes (uvicorn's spawned children, not its resource tracker)."""
        if self.proc is None:
            return []
        return [c for c in children(self.proc.pid) if "resource_tracker" not in _cmdline(c)]

    def cpu(self) -> float:
        """CPU seconds used so far by the master and its workers."""
        return sum(cpu_seconds(p) for p in [self.proc.pid, *self.workers()]) if self.proc else 0.0

    def settle(self, busy_queries=None, limit: float = 120) -> float:
        """Wait until the server has finished the requests a finished wrk run left behind (its workers use
        under 10 % of a core and ``busy_queries()``, if given, is 0), so they do not slow the next run.
        The seconds waited."""
        t0 = time.monotonic()
        last = self.cpu()
        while time.monotonic() - t0 < limit:
            time.sleep(0.5)
            now = self.cpu()
            idle, last = now - last < 0.05, now
            if idle and (busy_queries is None or busy_queries() == 0):
                break
        return time.monotonic() - t0

    def sample(self) -> None:
        for pid in self.workers():
            self.peak_rss[pid] = max(self.peak_rss.get(pid, 0.0), rss_mb(pid))

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)  # reaps the master: a zombie would keep its group "alive"
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        _kill_group(self.proc.pid)  # whatever is left of the group (SIGKILL after a grace period)
        self.proc.wait()
        (PIDS / f"{self.name}.pid").unlink(missing_ok=True)
        self.proc = None


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _kill_group(pgid: int) -> None:
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def stop_leftovers() -> None:
    """Servers a previous run of this harness left behind (killed with SIGKILL): their pid files name them."""
    for pid_file in PIDS.glob("*.pid") if PIDS.exists() else []:
        pid_text, _, started = pid_file.read_text().strip().partition(" ")
        if started and _start_time(int(pid_text)) == started:
            _kill_group(int(pid_text))
        pid_file.unlink(missing_ok=True)


class Sampler:
    """Polls the workers' RSS of the given servers every ``period`` seconds in a background thread."""

    def __init__(self, servers: list[Server], period: float = 0.5) -> None:
        self.servers, self.period = servers, period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for s in self.servers:
                s.sample()
            self._stop.wait(self.period)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
