"""PII detection for Custodian: offline Presidio engines, a two-stage column classifier, masking.

Modules:

- :mod:`compliance.pii.entities` — entity type names and which ones are subject identifiers (import-light);
- :mod:`compliance.pii.masking` — ``mask_value()`` for masked examples (import-light);
- :mod:`compliance.pii.engine` — ``pattern_analyzer()`` / ``ner_analyzer()``, built once per process;
- :mod:`compliance.pii.classifier` — ``ColumnSampler`` and ``classify_columns()``.

Pure library code: no Django ORM, no settings. The classifier names are re-exported lazily so that importing
this package (for instance for :mod:`compliance.identifiers`) does not load Presidio or spaCy.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "FREE_TEXT_SAMPLE_SIZE",
    "SAMPLE_SIZE",
    "ColumnSample",
    "ColumnSampler",
    "ColumnVerdict",
    "EntityScore",
    "classify_column",
    "classify_columns",
    "mask_value",
    "ner_analyzer",
    "pattern_analyzer",
]

_LAZY = {
    "FREE_TEXT_SAMPLE_SIZE": "compliance.pii.classifier",
    "SAMPLE_SIZE": "compliance.pii.classifier",
    "ColumnSample": "compliance.pii.classifier",
    "ColumnSampler": "compliance.pii.classifier",
    "ColumnVerdict": "compliance.pii.classifier",
    "EntityScore": "compliance.pii.classifier",
    "classify_column": "compliance.pii.classifier",
    "classify_columns": "compliance.pii.classifier",
    "mask_value": "compliance.pii.masking",
    "ner_analyzer": "compliance.pii.engine",
    "pattern_analyzer": "compliance.pii.engine",
}


def __getattr__(name: str) -> Any:
    """Import the defining module on first access to one of the re-exported names (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
