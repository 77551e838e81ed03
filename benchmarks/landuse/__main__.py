"""``python -m benchmarks.landuse run --rows 10000,200000 --duration 20``: see README.md beside this file."""

from __future__ import annotations

import json
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from benchmarks.landuse.config import SERVERS, RunConfig, parse_rows
from benchmarks.landuse.procs import BenchError
from benchmarks.landuse.report import markdown
from benchmarks.landuse.runner import run as run_all
from benchmarks.landuse.targets import evaluate

app = typer.Typer(help="Land-use benchmark: this service, TiPg and pygeoapi side by side",
                  no_args_is_help=True)
console = Console(soft_wrap=True)


def _say(text: str, _t0: float = time.monotonic()) -> None:
    console.print(f"{time.monotonic() - _t0:6.0f} s  {text}", markup=False, highlight=False)


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through the finally blocks that stop the servers


@app.command()
def run(
    rows: Annotated[str, typer.Option(help="row counts of the parcel sets: 10000,200k,1m")] = "10000",
    duration: Annotated[int, typer.Option(help="seconds of each timed wrk run")] = 5,
    warmup: Annotated[int, typer.Option(help="seconds of the untimed wrk run before each timed one")] = 2,
    servers: Annotated[str, typer.Option(help="comma-separated subset of this,tipg,pygeoapi")]
    = ",".join(SERVERS),
    connections: Annotated[int, typer.Option(help="wrk connections")] = 16,
    urls: Annotated[int, typer.Option(help="random URLs per request kind")] = 32,
    seed: Annotated[int, typer.Option(help="seed of the random URLs")] = 12,
    pg: Annotated[str, typer.Option(help="PostgreSQL server (the databases are created on it)")]
    = "postgresql://postgres@127.0.0.1:5432",
    database: Annotated[str, typer.Option(help="database to (re)create for the run")] = "planmap_bench",
    stats_path: Annotated[str, typer.Option(help="this service's land-use statistics, {layer} filled in")]
    = RunConfig.stats_path,
    spatialite: Annotated[bool, typer.Option(help="also measure this service on SpatiaLite (10k, 200k)")]
    = True,
) -> None:
    """Set up the data, serve it with each server, check, time, and write results/<date>-<rows>.{md,json}."""
    chosen = [s.strip() for s in servers.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SERVERS))
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown server(s) {unknown}; choose among {', '.join(SERVERS)}")
    cfg = RunConfig(rows=parse_rows(rows), servers=chosen, duration=duration, warmup=warmup,
                    connections=connections, urls=urls, seed=seed, pg=pg.rstrip("/"), database=database,
                    stats_path=stats_path, spatialite=spatialite)
    for sig in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a shell script may have started us ignoring it
        signal.signal(sig, _interrupt)
    command = "python -m benchmarks.landuse " + shlex.join(sys.argv[1:])
    try:
        result = run_all(cfg, command, _say)
    except BenchError as exc:
        console.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        console.print("interrupted: servers stopped, nothing written")
        raise typer.Exit(130) from None
    console.print(f"written {cfg.result_stem}.md and .json")
    for t in result["targets"]:
        console.print(f"  {t['verdict']:<28} {t['target']}", markup=False)


@app.command()
def report(result: Annotated[Path, typer.Argument(help="a results/*.json file")]) -> None:
    """Rewrite a finished run's Markdown and targets from its JSON (after a change of the report's layout)."""
    res = json.loads(result.read_text())
    res["targets"] = evaluate(res)
    result.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    result.with_suffix(".md").write_text(markdown(res))
    console.print(f"written {result.with_suffix('.md')}")


if __name__ == "__main__":
    app()
