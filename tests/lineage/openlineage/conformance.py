"""
Access to the shared OpenLineage conformance material (``../shared/openlineage`` beside the project root).

Tests that need it are skipped cleanly when the folder is absent (e.g. in a checkout without it).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

__all__ = (
    "CONFORMANCE",
    "EVENTS",
    "SPEC",
    "demo_events",
    "event_files",
    "facet_sample_files",
    "load",
    "needs_conformance",
    "relative",
)

CONFORMANCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "openlineage"
EVENTS = CONFORMANCE / "events"
SPEC = CONFORMANCE / "spec"

needs_conformance = pytest.mark.skipif(
    not EVENTS.is_dir() or not SPEC.is_dir(),
    reason=f"OpenLineage conformance material not found at {CONFORMANCE}",
)

DEMO_START = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
_PLACEHOLDER_RE = re.compile(r"\{\{\s*(?P<name>[A-Z0-9_]+)\s*\}\}")
_AFTER_RE = re.compile(r"RUN_END_TIME_AFTER_(?P<minutes>\d+)_MINUTES")


def relative(path: Path) -> str:
    """The path below ``events/`` (test ids)."""
    return path.relative_to(EVENTS).as_posix()


def event_files(folder: str) -> list[Path]:
    """Every ``*.json`` under ``events/<folder>`` (recursive, sorted); empty when the material is absent."""
    root = EVENTS / folder
    return sorted(root.rglob("*.json")) if root.is_dir() else []


def facet_sample_files() -> list[Path]:
    """The facet samples, ``events/facet-samples/<Facet>/*.json`` (not the full example event)."""
    root = EVENTS / "facet-samples"
    return sorted(root.glob("*/*.json")) if root.is_dir() else []


@cache
def _load_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load(path: Path) -> Any:
    """A conformance JSON file, freshly decoded (callers may mutate it)."""
    return json.loads(_load_text(path))


def demo_events() -> list[dict[str, Any]]:
    """
    The Marquez demo events with ``{{RUN_START_TIME}}`` and ``{{RUN_END_TIME_AFTER_<n>_MINUTES}}`` replaced by
    ISO 8601 instants (start + n minutes).
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name == "RUN_START_TIME":
            return DEMO_START.isoformat().replace("+00:00", "Z")
        after = _AFTER_RE.fullmatch(name)
        if after is None:
            raise ValueError(f"unknown placeholder {name}")
        moment = DEMO_START + timedelta(minutes=int(after.group("minutes")))
        return moment.isoformat().replace("+00:00", "Z")

    text = _PLACEHOLDER_RE.sub(replace, _load_text(EVENTS / "marquez-demo.template.json"))
    return json.loads(text)
