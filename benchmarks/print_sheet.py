"""How long a printable sheet takes:
``python benchmarks/print_sheet.py [--district 907 | --commune 30958] [--database-url …]``.

Reports the first render in this process (imports, font preparation, projecting the boundaries), then the
median of warm renders (what a click costs when the cache misses), then a cache hit. Target: a district sheet
in under 3 s warm, a 2025 unit's too. Needs a loaded database (``planmap load``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", type=int, default=907, help="GSO code; 0 for the province")
    parser.add_argument("--commune", default=None, help="GSO code of a 2025 unit (instead of --district)")
    parser.add_argument("--size", default="A3", choices=("A4", "A3"))
    parser.add_argument("--lang", default="vi", choices=("vi", "en"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from sqlalchemy.orm import Session

    from api.print.cache import cached_sheet
    from api.print.sheet import render
    from api.print.target import Target
    from layers.db import make_engine
    from layers.settings import get_settings

    url = args.database_url or get_settings().database_url
    if args.commune:
        target = Target.commune(args.commune)
    else:
        target = Target.district(args.district) if args.district else Target.province()
    engine = make_engine(url)
    with Session(engine) as session:
        t1 = time.perf_counter()
        pdf = render(session, target, args.size, args.lang)
        first = time.perf_counter() - t1
        warm = []
        for _ in range(args.runs):
            t = time.perf_counter()
            render(session, target, args.size, args.lang)
            warm.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            cached_sheet(session, Path(tmp), target, args.size, args.lang)
            t = time.perf_counter()
            hit = cached_sheet(session, Path(tmp), target, args.size, args.lang)
            cached = time.perf_counter() - t
    print(f"sheet {target.name} {args.size} {args.lang}: {len(pdf) / 1024:.0f} KiB")
    print(f"imports        {t1 - t0:6.2f} s")
    print(f"first render   {first:6.2f} s")
    print(
        f"warm render    {statistics.median(warm):6.2f} s median of {args.runs} "
        f"(min {min(warm):.2f}, max {max(warm):.2f})"
    )
    print(f"cache hit      {cached * 1000:6.1f} ms ({'hit' if hit.hit else 'MISS'})")


if __name__ == "__main__":
    main()
