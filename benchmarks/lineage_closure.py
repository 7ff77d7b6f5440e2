"""
Benchmark (b): downstream closure from one raw version on the two generated ~1M-edge graphs of DESIGN.md
(``benchmarks/lineage_graphs.py``), with ``lineage.selectors.lineage_closure`` (level by level, each version
visited once, one indexed query per level) next to a depth-tracking recursive CTE on the same tables.

Targets (DESIGN.md): realistic pipeline graph, depth 20: ≤ 50 ms median; dense graph (closure ~150–190k
versions): ≤ 2 s. Run alone: ``python -m benchmarks.lineage_closure`` (``--regenerate`` rebuilds the graphs; they
are kept between runs otherwise). Each graph is measured in its own process (its own database).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from benchmarks.openlineage_common import ROOT, print_table

CTE = """
WITH RECURSIVE walk(id, depth) AS (
    SELECT %s::bigint, 0
    UNION
    SELECT e.target_id, w.depth + 1 FROM walk w JOIN lineage_edge e ON e.source_id = w.id WHERE w.depth < %s
)
SELECT COUNT(DISTINCT id) FROM walk
"""


def _measure(name: str, regenerate: bool) -> dict:
    from benchmarks import lineage_graphs

    info = (
        lineage_graphs.realistic(regenerate=regenerate)
        if name == "realistic"
        else lineage_graphs.dense(regenerate=regenerate)
    )
    from django.db import connection

    from lineage.selectors import lineage_closure

    depth = 20 if name == "realistic" else 100
    runs = 21 if name == "realistic" else 5
    lineage_closure(roots=[info.root], direction="downstream", depth=depth, mode="ids")  # warm the cache
    samples, closure = [], None
    for _ in range(runs):
        started = time.perf_counter()
        closure = lineage_closure(roots=[info.root], direction="downstream", depth=depth, mode="ids")
        samples.append(time.perf_counter() - started)
    cte_depth = depth if name == "realistic" else closure.depth_reached
    cte_samples, cte_count, cte_timeout = [], None, False
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '120s'")
        for _ in range(5 if name == "realistic" else 2):
            started = time.perf_counter()
            try:
                cursor.execute(CTE, [info.root, cte_depth])
                cte_count = cursor.fetchone()[0]
            except Exception:  # noqa: BLE001 - statement timeout: report it
                cte_timeout = True
                break
            cte_samples.append(time.perf_counter() - started)
    return {
        "graph": name,
        "stats": info.stats,
        "root": info.root,
        "depth": depth,
        "median_ms": statistics.median(samples) * 1000,
        "min_ms": min(samples) * 1000,
        "closure": len(closure.depth),
        "depth_reached": closure.depth_reached,
        "is_partial": closure.is_partial,
        "cte_depth": cte_depth,
        "cte_median_ms": statistics.median(cte_samples) * 1000 if cte_samples else None,
        "cte_count": cte_count,
        "cte_timeout": cte_timeout,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    regenerate = "--regenerate" in argv
    if "--graph" in argv:
        result = _measure(argv[argv.index("--graph") + 1], regenerate)
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    results = []
    for name in ("realistic", "dense"):
        command = [sys.executable, "-m", "benchmarks.lineage_closure", "--graph", name]
        if regenerate:
            command.append("--regenerate")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
            return done.returncode
        line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
        result = json.loads(line[len("RESULT ") :])
        result["wall_s"] = time.perf_counter() - started
        results.append(result)
    targets = {"realistic": 50, "dense": 2000}
    rows = []
    for r in results:
        s = r["stats"]
        cte = "timeout (120 s)" if r["cte_timeout"] else f"{r['cte_median_ms']:.0f} ms"
        rows.append(
            [
                r["graph"],
                f"{s['edges']:,} edges / {s['versions']:,} versions",
                r["depth"],
                f"{r['closure']:,} (depth {r['depth_reached']}{', partial' if r['is_partial'] else ''})",
                f"{r['median_ms']:.1f} ms",
                f"≤ {targets[r['graph']]} ms",
                "yes" if r["median_ms"] <= targets[r["graph"]] else "no",
                f"{cte} (depth ≤ {r['cte_depth']}, {r['cte_count'] if r['cte_count'] is not None else '?'} versions)",
            ]
        )
    print_table(
        "Downstream closure from one raw version (lineage_closure, ids mode) vs a depth-tracking recursive CTE",
        ["graph", "size", "depth limit", "closure", "median", "target", "met", "recursive CTE (median)"],
        rows,
    )
    for r in results:
        print(
            f"{r['graph']}: generated in {r['stats'].get('generation_seconds', 0)} s (kept for later runs), "
            f"benchmark process {r['wall_s']:.0f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
