"""Sheets drawn in a small pool of worker processes: matplotlib is not thread-safe, so threads drew one sheet at
a time; processes draw one per core. Each worker opens its own engine from the database URL.

Requests beyond ``queue_limit`` (drawing + waiting) are refused with ``PoolBusy`` (HTTP 503, Retry-After);
identical requests in flight share one drawing. The pool lives as long as the app (its lifespan).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from api.print.cache import SheetJob

_worker_engine = None  # in a worker: its own engine, opened once
_worker_cache_dir: Path | None = None  # and where the land-use statistics are shared


class PoolBusy(RuntimeError):
    """No room for another drawing now; ``retry_after`` seconds is a fair wait."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _init_worker(database_url: str, cache_dir: Path | None) -> None:
    global _worker_engine, _worker_cache_dir
    from layers.db import make_engine

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it shuts the pool down
    _worker_engine = make_engine(database_url)
    _worker_cache_dir = cache_dir


def _ready() -> int:
    return os.getpid()


def _draw(job: SheetJob) -> bytes:
    from sqlalchemy.orm import Session

    from api.print.sheet import render

    with Session(_worker_engine, info={"cache_dir": _worker_cache_dir}) as session:  # statistics shared on disk
        return render(session, job.target, job.size, job.lang, job.fmt, job.today)


class RenderPool:
    """``render(key, job)`` -> the sheet's bytes, drawn in a worker process."""

    def __init__(self, database_url: str, workers: int, queue_limit: int, cache_dir: Path | None = None) -> None:
        self.database_url, self.cache_dir = database_url, cache_dir
        self.workers = max(1, workers)
        self.queue_limit = max(1, queue_limit)
        self._lock = threading.Lock()
        self._inflight: dict[str, tuple[Future, ProcessPoolExecutor]] = {}
        self._seconds = 2.0  # running mean of a drawing's duration, for Retry-After
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        # forkserver: workers fork from a clean process that imported the renderer once (not from this one,
        # with its threads and connections); spawn where there is no forkserver.
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["api.print.sheet", "layers.db"])
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                   initargs=(self.database_url, self.cache_dir))

    def warm(self) -> list[Future]:
        """Start the workers now (each opens its engine) instead of at the first sheet; returns their pids."""
        with self._lock:
            return [self._executor.submit(_ready) for _ in range(self.workers)]

    def _wait(self) -> int:
        """Seconds until a place frees up, about (caller holds the lock)."""
        return max(1, math.ceil(self._seconds * len(self._inflight) / self.workers))

    def render(self, key: str, job: SheetJob) -> bytes:
        """Draw ``job`` (or wait for the same ``key`` already being drawn); raises PoolBusy when full."""
        with self._lock:
            future, executor = self._inflight.get(key, (None, self._executor))
            if future is None:
                if len(self._inflight) >= self.queue_limit:
                    raise PoolBusy(f"{len(self._inflight)} sheets are being drawn or waiting, the most this "
                                   f"server takes at once; try again in {self._wait()} s", self._wait())
                future = executor.submit(_draw, job)
                self._inflight[key] = (future, executor)
                started = time.monotonic()
                future.add_done_callback(lambda f: self._finished(key, f, started))
        try:
            return future.result()
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory): start afresh
            with self._lock:
                if self._executor is executor:  # once, whichever request notices first
                    executor.shutdown(wait=False, cancel_futures=True)
                    self._executor = self._new_executor()
            raise PoolBusy("the drawing process stopped; try again", 1) from exc

    def _finished(self, key: str, future: Future, started: float) -> None:
        with self._lock:
            if self._inflight.get(key, (None,))[0] is future:
                del self._inflight[key]
            if not future.cancelled() and future.exception() is None:
                self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)

    def shutdown(self) -> None:
        """Stop the workers: drawings under way finish, waiting ones are dropped."""
        self._executor.shutdown(wait=True, cancel_futures=True)
