"""Helpers for reader tests: every source is generated in ``tmp_path``."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write bytes or text (UTF-8) to ``tmp_path/name``; gzip them when the name ends in ``.gz``."""

    def _write(name: str, content: str | bytes, *, encoding: str = "utf-8") -> Path:
        data = content.encode(encoding) if isinstance(content, str) else content
        if name.endswith(".gz"):
            data = gzip.compress(data)
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write
