"""
The response of ``POST /api/v1/lineage/batch`` (OpenLineage ``spec/OpenLineage.yml``, operation ``postEventBatch``).

``204`` with no body when every event was accepted; otherwise ``200`` with a processing report::

    {"status": "partial_success",
     "summary": {"received": 3, "successful": 2, "failed": 1, "retriable": 0, "non_retriable": 1},
     "failed_events": [{"index": 1, "reason": "run.runId is not a UUID: 'run_id'", "retriable": false}]}

The spec's ``status`` enum has only ``success`` and ``partial_success``, so a batch in which every event failed is
still ``partial_success`` (with ``successful: 0``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lineage.openlineage.validation import ValidationResult

__all__ = ("BatchItemResult", "batch_report")

_MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class BatchItemResult:
    """
    What happened to one event of a batch. ``retriable`` failures (database down, lock timeout) may succeed if
    the client sends the event again; validation failures never do.
    """

    ok: bool
    reason: str | None = None
    retriable: bool = False

    @classmethod
    def accepted(cls) -> BatchItemResult:
        """The event was stored."""
        return cls(ok=True)

    @classmethod
    def rejected(cls, reason: str, *, retriable: bool = False) -> BatchItemResult:
        """The event was not stored, for ``reason``."""
        return cls(ok=False, reason=reason, retriable=retriable)

    @classmethod
    def from_validation(cls, result: ValidationResult) -> BatchItemResult:
        """Accepted when ``result.ok``, else a non-retriable rejection listing the first violations."""
        return cls.accepted() if result.ok else cls.rejected(result.reason())


def batch_report(
    results: Sequence[BatchItemResult],
    *,
    report_success: bool = False,
) -> tuple[int, dict[str, Any] | None]:
    """
    The HTTP status and JSON body for a processed batch; ``results`` are in request order (index = position).

    All accepted (or an empty batch): ``(204, None)``, or ``(200, {"status": "success", …})`` with
    ``report_success``. Any failure: ``(200, report)`` with ``status`` ``partial_success``, the summary
    counts and one ``failed_events`` entry per failed event (reason truncated to 500 characters).
    """
    failed = [(index, result) for index, result in enumerate(results) if not result.ok]
    if not failed and not report_success:
        return 204, None
    retriable = sum(1 for _, result in failed if result.retriable)
    body: dict[str, Any] = {
        "status": "partial_success" if failed else "success",
        "summary": {
            "received": len(results),
            "successful": len(results) - len(failed),
            "failed": len(failed),
            "retriable": retriable,
            "non_retriable": len(failed) - retriable,
        },
        "failed_events": [
            {"index": index, "reason": _truncate(result.reason or "rejected"), "retriable": result.retriable}
            for index, result in failed
        ],
    }
    return 200, body


def _truncate(reason: str) -> str:
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"
