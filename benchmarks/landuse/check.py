"""Before anything is timed, every URL is asked once of every server and its answer checked against the
database: status 200, as many features as SQL counts for the same bbox and limit, the item asked for, a
non-empty MVT (and how complete it is). A server that fails a check is not timed for that request, so
answering errors fast cannot win.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import mapbox_vector_tile

from benchmarks.landuse.dialects import Dialect
from benchmarks.landuse.workload import Req

NOT_SERVED = {400, 404, 422}  # the collection or endpoint does not exist on this server (yet)
PARALLEL = 4  # requests in flight while checking: enough to keep two workers busy
# A request that takes longer than this alone, twice, is not put under load: 16 connections would queue for
# minutes and the run would measure the queue. Its single-request time is reported instead.
SLOW_MS = 5_000
TIMEOUT_S = 60


@dataclass
class Verdict:
    status: str  # "ok", "failed", "slow" (not timed, see SLOW_MS) or "n/a"
    reason: str = ""
    first_ms: float | None = None  # the first (cold) request
    second_ms: float | None = None  # the same request again (what a cache gives)
    completeness: float | None = None  # MVT: min over tiles of (features in the tile / rows intersecting it)
    features: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", [])}


def fetch(url: str, timeout: float = TIMEOUT_S) -> tuple[int, bytes, float]:
    """Status (0: no answer), body and milliseconds of one GET."""
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read()
            return r.status, body, (time.perf_counter() - t0) * 1000
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), (time.perf_counter() - t0) * 1000
    except (urllib.error.URLError, OSError) as exc:  # timeouts, refused or reset connections
        return 0, str(exc).encode(), (time.perf_counter() - t0) * 1000


def _slow(base: str, path: str, cold_ms: float) -> Verdict | None:
    """A "slow" verdict when the request, asked again, still takes longer than SLOW_MS (or never answers)."""
    again = fetch(base + path)[2] if cold_ms < TIMEOUT_S * 1000 else cold_ms
    if again <= SLOW_MS:
        return None
    then = f"more than {TIMEOUT_S} s" if again >= TIMEOUT_S * 1000 else f"{again / 1000:.1f} s"
    return Verdict("slow", f"one request alone takes {cold_ms / 1000:.1f} s, then {then}",
                   first_ms=round(cold_ms, 1), second_ms=round(again, 1))


def _count(req: Req, status: int, body: bytes) -> tuple[int | None, str]:
    """Features in an answer, or None and why the answer is wrong."""
    if status != 200:
        return None, f"HTTP {status}: {body[:160]!r}"
    if req.tile is not None:
        layers = mapbox_vector_tile.decode(body) if body else {}
        n = sum(len(layer["features"]) for layer in layers.values())
        return (n, "") if n else (None, "empty tile")
    try:
        doc = json.loads(body)
    except ValueError:
        return None, f"not JSON: {body[:80]!r}"
    if req.item_id is not None:
        ok = doc.get("type") == "Feature" and str(doc.get("id")) == req.item_id
        return (1, "") if ok else (None, f"expected feature {req.item_id}, got id {doc.get('id')!r}")
    if req.kind == "stats":
        return (len(doc), "") if doc else (None, "empty statistics")
    return len(doc.get("features", [])), ""


def check(base: str, dialect: Dialect, reqs: list[Req]) -> Verdict:
    """Ask every request once (the first one alone, to time it cold); the first wrong answer decides."""
    first = reqs[0]
    if first.kind == "stats" and not dialect.stats_path:
        return Verdict("n/a", "no such endpoint")
    if first.kind != "stats":
        status, _, _ = fetch(base + dialect.collection_path(first.layer))
        if status in NOT_SERVED:
            return Verdict("n/a", f"collection not served (HTTP {status})")
    answers = [fetch(base + dialect.path(first))]
    if first.kind == "stats" and answers[0][0] in NOT_SERVED:
        return Verdict("n/a", f"no statistics for {first.layer} (HTTP {answers[0][0]})")
    slow = _slow(base, dialect.path(first), answers[0][2]) if answers[0][2] > SLOW_MS else None
    if slow:
        return slow
    pool = ThreadPoolExecutor(PARALLEL)
    try:
        answers += pool.map(lambda r: fetch(base + dialect.path(r)), reqs[1:])
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: do not wait for the queued requests
    verdict = Verdict("ok", first_ms=round(answers[0][2], 1))
    ratios = []
    for req, (status, body, _) in zip(reqs, answers, strict=True):
        n, why = _count(req, status, body)
        if n is None:
            return Verdict("failed", f"{dialect.path(req)}: {why}")
        if req.expected is not None and n != req.expected:
            return Verdict("failed", f"{dialect.path(req)}: {n} features, the database has {req.expected}")
        verdict.features.append(n)
        if req.in_tile:
            ratios.append(n / req.in_tile)
    if ratios:
        verdict.completeness = round(min(ratios), 3)
    verdict.second_ms = round(fetch(base + dialect.path(first))[2], 1)
    verdict.features = [min(verdict.features), max(verdict.features)]
    return verdict
