"""
Signals lineage sends for decoupled side effects (documented in docs/signals.md).

``edges_recorded(runs, actor)`` is sent inside the writing transaction after edges were added to the runs whose
ids are in ``runs`` (``actor`` may be None for unaudited internal writes); receivers that write must do so in that
transaction (it commits or rolls back with them).
"""

from django.dispatch import Signal

__all__ = ("edges_recorded",)

edges_recorded = Signal()
