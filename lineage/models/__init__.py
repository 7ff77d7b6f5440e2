"""
Lineage models.

A ``Job`` is a process, a ``Run`` one execution of it with its inputs (each with a role) and outputs; an ``Edge``
is one (input version → output version, run) fact, kept in sync by the services so that closures are computed
over one indexed table.
"""

from lineage.models.graph import Edge, Job, Run, RunInput, RunOutput

__all__ = ("Edge", "Job", "Run", "RunInput", "RunOutput")
