"""
Lineage models.

A ``Job`` is a process, a ``Run`` one execution of it with its inputs (each with a role) and outputs; an ``Edge``
is one (input version → output version, run) fact, kept in sync by the services so that closures are computed
over one indexed table. ``OpenLineageEvent`` holds every OpenLineage event as received (the source of truth of
what came in through ``/api/v1/lineage``); ``RunStateChange``, ``ColumnEdge``, ``JobDataset`` and ``FacetClock``
hold what its projection adds beside the core graph.
"""

from lineage.models.graph import Edge, Job, Run, RunInput, RunOutput
from lineage.models.openlineage import (
    ColumnEdge,
    FacetClock,
    JobDataset,
    JobDatasetWatermark,
    OpenLineageEvent,
    OpenLineageEventKind,
    RunStateChange,
)

__all__ = (
    "ColumnEdge",
    "Edge",
    "FacetClock",
    "Job",
    "JobDataset",
    "JobDatasetWatermark",
    "OpenLineageEvent",
    "OpenLineageEventKind",
    "Run",
    "RunInput",
    "RunOutput",
    "RunStateChange",
)
