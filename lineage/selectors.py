"""
Lineage reads: version-precise upstream and downstream closures over the ``Edge`` table.

The traversal goes level by level, one query per depth level, and visits every node once (a visited set, not a
depth-tracking recursive CTE that re-expands nodes reached by several paths). Cycles therefore terminate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from catalog.choices import PrivacyMeasure
from catalog.models import AssetVersion
from catalog.selectors import versions_by_ids
from lineage.choices import JobType
from lineage.models import Edge, Job, Run

__all__ = (
    "Closure",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "lineage_closure",
    "lineage_downstream",
    "lineage_graph",
    "lineage_upstream",
    "run_list",
    "job_list",
)

Direction = Literal["upstream", "downstream"]
SQLITE_CHUNK = 900


@dataclass(frozen=True)
class LineageEdge:
    source: int
    target: int
    run: int
    role: str


@dataclass
class Closure:
    """
    The raw result of a traversal: ``depth`` maps each reached version id to its distance from the roots;
    ``parent`` maps it to ``(previous version id, run id)`` on one shortest path (when paths were asked for);
    ``stopped`` holds the versions reported but not expanded (``stop_at_anonymised``).
    """

    roots: list[int]
    direction: str
    depth: dict[int, int]
    parent: dict[int, tuple[int, int]] = field(default_factory=dict)
    edges: list[LineageEdge] = field(default_factory=list)
    depth_reached: int = 0
    is_partial: bool = False
    stopped: set[int] = field(default_factory=set)

    def path_to(self, node: int) -> list[int]:
        """Version ids from a root to ``node`` along the recorded parents."""
        path = [node]
        while path[-1] in self.parent:
            path.append(self.parent[path[-1]][0])
        return list(reversed(path))

    def path_with_runs(self, node: int) -> list[tuple[int, int | None]]:
        """``[(version id, run id that produced the next hop or None)…]`` from a root to ``node``."""
        hops: list[tuple[int, int | None]] = []
        current = node
        while current in self.parent:
            previous, run = self.parent[current]
            hops.append((current, run))
            current = previous
        hops.append((current, None))
        return list(reversed(hops))


def _clamp_depth(depth: int | None) -> int:
    limit = settings.CUSTODIAN_MAX_LINEAGE_DEPTH
    if depth is None:
        return limit
    return max(0, min(int(depth), limit))


def _fetch(frontier: list[int], direction: Direction, mode: str) -> list[tuple]:
    """
    Edges leaving ``frontier`` in ``direction``: rows ``(from, to)`` for ``ids``, ``(from, to, run)`` for
    ``tree``, ``(from, to, run, role)`` for ``edges``. One query on PostgreSQL (array parameter), chunked on SQLite.
    """
    near, far = ("source_id", "target_id") if direction == "downstream" else ("target_id", "source_id")
    columns = {"ids": f"{near}, {far}", "tree": f"{near}, {far}, run_id", "edges": f"{near}, {far}, run_id, role"}
    select = columns[mode]
    table = Edge._meta.db_table
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {select} FROM {table} WHERE {near} = ANY(%s)", [frontier])  # noqa: S608
            rows = cursor.fetchall()
        else:
            for start in range(0, len(frontier), SQLITE_CHUNK):
                part = frontier[start : start + SQLITE_CHUNK]
                marks = ",".join(["%s"] * len(part))
                cursor.execute(f"SELECT {select} FROM {table} WHERE {near} IN ({marks})", part)  # noqa: S608
                rows.extend(cursor.fetchall())
    return rows


def _fetch_guarded(frontier: list[int]) -> list[tuple]:
    """
    Downstream edges leaving ``frontier`` as ``(from, to, run, role, stops)``: ``stops`` is 1 when the target
    version is anonymised or the edge's run is a run of an anonymisation job. One query per call on PostgreSQL
    (the joins go through primary keys), chunked on SQLite.
    """
    edge, version = Edge._meta.db_table, AssetVersion._meta.db_table
    run, job = Run._meta.db_table, Job._meta.db_table
    sql = (
        "SELECT e.source_id, e.target_id, e.run_id, e.role, "  # noqa: S608
        "CASE WHEN v.privacy_measure = %s OR j.job_type = %s THEN 1 ELSE 0 END "
        f"FROM {edge} e JOIN {version} v ON v.id = e.target_id "
        f"JOIN {run} r ON r.id = e.run_id JOIN {job} j ON j.id = r.job_id "
    )
    guards = [PrivacyMeasure.ANONYMISED.value, JobType.ANONYMISATION.value]
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql + "WHERE e.source_id = ANY(%s)", [*guards, frontier])
            rows = cursor.fetchall()
        else:
            for start in range(0, len(frontier), SQLITE_CHUNK):
                part = frontier[start : start + SQLITE_CHUNK]
                marks = ",".join(["%s"] * len(part))
                cursor.execute(sql + f"WHERE e.source_id IN ({marks})", [*guards, *part])
                rows.extend(cursor.fetchall())
    return rows


def lineage_closure(
    *,
    roots: Iterable[int],
    direction: Direction,
    depth: int | None = None,
    mode: Literal["ids", "tree", "edges"] = "edges",
    stop_at_anonymised: bool = False,
) -> Closure:
    """
    Every version reachable from ``roots`` within ``depth`` hops, each visited once.

    ``mode``: ``ids`` (reachability only, fastest), ``tree`` (also one parent per node, for paths), ``edges``
    (also every edge inside the closure). ``is_partial`` is true when nodes lie beyond the depth limit. Cost: one
    query per level reached, plus one to decide ``is_partial``.

    ``stop_at_anonymised`` (downstream only): a newly reached version whose privacy measure is anonymised, or that
    was reached through a run of an anonymisation job, is reported (in ``depth`` and ``stopped``) but not
    expanded, so its own descendants are not part of the closure. Roots are always expanded. Same query count.
    Raises ``ValueError`` for an upstream traversal with ``stop_at_anonymised``.
    """
    if stop_at_anonymised and direction != "downstream":
        raise ValueError("stop_at_anonymised applies to downstream closures only")
    max_depth = _clamp_depth(depth)
    root_ids = list(dict.fromkeys(int(r) for r in roots))
    reached: dict[int, int] = dict.fromkeys(root_ids, 0)
    closure = Closure(roots=root_ids, direction=direction, depth=reached)
    frontier = root_ids
    level = 0
    while frontier and level < max_depth:
        if stop_at_anonymised:
            rows = _fetch_guarded(frontier)
        else:
            rows = _fetch(frontier, direction, "ids" if mode == "ids" else ("tree" if mode == "tree" else "edges"))
        level += 1
        next_frontier: list[int] = []
        for row in rows:
            near, far = row[0], row[1]
            if mode == "edges":
                if direction == "downstream":
                    closure.edges.append(LineageEdge(source=near, target=far, run=row[2], role=row[3]))
                else:
                    closure.edges.append(LineageEdge(source=far, target=near, run=row[2], role=row[3]))
            if far not in reached:
                reached[far] = level
                next_frontier.append(far)
                if mode != "ids":
                    closure.parent[far] = (near, row[2])
            if stop_at_anonymised and row[4] and reached[far] == level:
                closure.stopped.add(far)
        if next_frontier:
            closure.depth_reached = level
        frontier = [n for n in next_frontier if n not in closure.stopped] if closure.stopped else next_frontier
    if frontier and level >= max_depth:
        beyond = _fetch(frontier, direction, "ids")
        closure.is_partial = any(row[1] not in reached for row in beyond)
    return closure


@dataclass(frozen=True)
class LineageNode:
    id: int
    asset_id: int
    asset: str
    namespace: str
    name: str
    kind: str
    version: str
    state: str
    depth: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "asset": self.asset,
            "asset_id": self.asset_id,
            "kind": self.kind,
            "version": self.version,
            "state": self.state,
            "depth": self.depth,
        }


@dataclass
class LineageGraph:
    """A hydrated lineage answer: nodes with their asset identity, edges, and completeness."""

    root: int
    direction: str
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    depth_reached: int
    is_partial: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "direction": self.direction,
            "nodes": [n.as_dict() for n in self.nodes],
            "edges": [{"source": e.source, "target": e.target, "run": e.run, "role": e.role} for e in self.edges],
            "depth_reached": self.depth_reached,
            "is_partial": self.is_partial,
        }


def lineage_graph(*, version: AssetVersion | int, direction: Direction, depth: int | None = None) -> LineageGraph:
    """
    The lineage of one version, upstream or downstream, with nodes hydrated in one query (per 10,000 nodes).

    The root is included at depth 0. Edges always point from input version to output version.
    """
    root = version if isinstance(version, int) else version.pk
    closure = lineage_closure(roots=[root], direction=direction, depth=depth, mode="edges")
    versions = versions_by_ids(closure.depth.keys())
    nodes = [
        LineageNode(
            id=v.pk,
            asset_id=v.asset_id,
            asset=v.asset.qualified_name,
            namespace=v.asset.namespace,
            name=v.asset.name,
            kind=v.asset.kind,
            version=v.version,
            state=v.state,
            depth=closure.depth[v.pk],
        )
        for v in sorted(versions.values(), key=lambda v: (closure.depth[v.pk], v.pk))
    ]
    return LineageGraph(
        root=root,
        direction=direction,
        nodes=nodes,
        edges=closure.edges,
        depth_reached=closure.depth_reached,
        is_partial=closure.is_partial,
    )


def lineage_upstream(*, version: AssetVersion | int, depth: int | None = None) -> LineageGraph:
    """Everything ``version`` was derived from: data, base and teacher models, at any depth."""
    return lineage_graph(version=version, direction="upstream", depth=depth)


def lineage_downstream(*, version: AssetVersion | int, depth: int | None = None) -> LineageGraph:
    """Everything derived from ``version``: datasets, model versions and their descendants."""
    return lineage_graph(version=version, direction="downstream", depth=depth)


def run_list(*, user: Any = None) -> QuerySet:
    """Runs with their job, inputs (version, asset) and outputs loaded."""
    from core import roles

    qs = Run.objects.select_related("job", "parent").prefetch_related(
        "inputs__version__asset", "outputs__version__asset"
    )
    return qs if user is None or roles.can_read(user) else qs.none()


def job_list(*, user: Any = None) -> QuerySet:
    from core import roles

    qs = Job.objects.all()
    return qs if user is None or roles.can_read(user) else qs.none()
