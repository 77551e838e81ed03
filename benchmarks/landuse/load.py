"""Drive one server with wrk over a list of paths: an untimed warm-up, then the timed run.

The Lua script (``paths.lua``) makes every server walk the same list in the same order and reports the latency
percentiles from wrk's own histogram (``done()``), so p50/p95 are wrk's, not estimated here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.landuse.config import HERE, VAR, RunConfig
from benchmarks.landuse.procs import BenchError

SCRIPT = HERE / "paths.lua"
TIMEOUT = "30s"  # a slow answer counts as a late answer, not as an error, up to this


@dataclass
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # connect, read, write, timeouts and HTTP >= 400 together
    mb_per_s: float
    load1: float  # the machine's 1-minute load average when the timed run started (others share it)
    settle_s: float = 0.0  # how long the server then needed to finish the requests wrk abandoned

    def as_dict(self) -> dict:
        return asdict(self)


def wrk_path() -> str:
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk not found: apt-get install -y wrk")
    return found


def _wrk(cfg: RunConfig, base: str, paths_file: Path, seconds: int, out: Path) -> dict:
    env = dict(os.environ, BENCH_PATHS=str(paths_file), BENCH_OUT=str(out), BENCH_THREADS=str(cfg.threads))
    cmd = [wrk_path(), "-t", str(cfg.threads), "-c", str(cfg.connections), "-d", f"{seconds}s",
           "--timeout", TIMEOUT, "-s", str(SCRIPT), base]
    out.unlink(missing_ok=True)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise BenchError(f"wrk failed ({proc.returncode}): {proc.stderr[-1000:]}")
    return json.loads(out.read_text())


def drive(cfg: RunConfig, base: str, paths: list[str], tag: str) -> LoadResult:
    """Warm up for ``cfg.warmup`` s, then measure ``cfg.duration`` s at ``cfg.connections`` connections."""
    work = VAR / "wrk"
    work.mkdir(parents=True, exist_ok=True)
    paths_file = work / f"{tag}.paths"
    paths_file.write_text("\n".join(paths) + "\n")
    out = work / f"{tag}.json"
    if cfg.warmup:
        _wrk(cfg, base, paths_file, cfg.warmup, out)
    load1 = round(os.getloadavg()[0], 2)
    r = _wrk(cfg, base, paths_file, cfg.duration, out)
    seconds = r["duration_us"] / 1e6
    lat = r["latency_us"]
    return LoadResult(
        requests=r["requests"], seconds=round(seconds, 2), rps=round(r["requests"] / seconds, 1),
        p50_ms=round(lat["p50"] / 1000, 1), p95_ms=round(lat["p95"] / 1000, 1),
        p99_ms=round(lat["p99"] / 1000, 1),
        errors=sum(r["errors"].values()), mb_per_s=round(r["bytes"] / seconds / 2**20, 2), load1=load1)
