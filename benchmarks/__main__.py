"""
``make bench``: run every benchmark module in turn (each prints its own table against its target).

``python -m benchmarks``            all of them
``python -m benchmarks NAME…``      only these (module names without the ``benchmarks.`` prefix)
``python -m benchmarks --list``     what is there

Each benchmark is a module with a ``main()`` that can also run alone (``python -m benchmarks.NAME``). They need
PostgreSQL (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/custodian_bench``) and generate
their own data; none is part of ``make test``.
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = (
    "lineage_closure",
    "lineage_marquez",
    "openlineage_ingest",
    "openlineage_batch",
    "pii_scan",
    "subject_lookup",
)


def available() -> list[str]:
    found = {p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_") and _has_main(p)}
    return [name for name in ORDER if name in found] + sorted(found - set(ORDER))


def _has_main(path: Path) -> bool:
    return "def main(" in path.read_text(encoding="utf-8")


def main(argv: list[str]) -> int:
    names = available()
    if "--list" in argv:
        print("\n".join(names))
        return 0
    selected = [a for a in argv if not a.startswith("-")] or names
    unknown = sorted(set(selected) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    failures = []
    for name in selected:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=HERE.parent)
        print(f"--- {name}: exit {result.returncode} in {time.perf_counter() - started:.0f} s", flush=True)
        if result.returncode:
            failures.append(name)
    if failures:
        print(f"\nfailed: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
