"""
Request-body decoding for the OpenLineage endpoint: optional gzip, a cap on the decompressed size, strict JSON.

Django never inflates request bodies (``GZipMiddleware`` only compresses responses), the Python client sends
``Content-Encoding: gzip`` and the Java client only sends that header since OpenLineage PR #4282, so a body is
inflated when the header says gzip *or* when it starts with the gzip magic bytes ``1f 8b``.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

__all__ = ("BodyError", "decode_body")

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})
_DEFLATE_ENCODINGS = frozenset({"deflate"})
_IDENTITY_ENCODINGS = frozenset({"", "identity"})
_SUPPORTED_ENCODINGS = _GZIP_ENCODINGS | _DEFLATE_ENCODINGS
_CHUNK = 64 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"


class BodyError(Exception):
    """
    The request body cannot be turned into JSON.

    ``status`` is the HTTP status the endpoint should answer with: ``400`` (bad gzip, not UTF-8, not JSON),
    ``413`` (larger than the cap after decompression) or ``415`` (a ``Content-Encoding`` other than gzip,
    deflate or identity). ``reason`` is a short, client-safe explanation.
    """

    def __init__(self, *, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def __repr__(self) -> str:
        return f"BodyError(status={self.status}, reason={self.reason!r})"


def decode_body(raw: bytes, *, content_encoding: str | None, max_bytes: int) -> Any:
    """
    Decode an OpenLineage request body into the parsed JSON value (usually a dict, or a list for batches).

    Inflates gzip when the body starts with ``1f 8b`` or ``content_encoding`` names gzip (``deflate`` when the
    header says so), streaming and stopping as soon as the output exceeds ``max_bytes``, so a gzip bomb never
    materialises. A body that is not compressed is held to the same cap. A body that already starts with ``{``
    or ``[`` is parsed as is even under a gzip header (a proxy may have inflated it). Multi-member gzip streams
    are accepted. A UTF-8 byte-order mark is ignored; ``NaN``/``Infinity`` literals are rejected (not JSON).

    Raises ``BodyError`` (status 400, 413 or 415); never returns partially decoded data.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    codings = _parse_encodings(content_encoding)
    unsupported = [coding for coding in codings if coding not in _SUPPORTED_ENCODINGS]
    if unsupported:
        raise BodyError(status=415, reason=f"unsupported Content-Encoding {unsupported[0]!r}; use gzip or identity")
    data = bytes(raw)
    if data.startswith(_GZIP_MAGIC):
        data = _inflate(data, wbits=16 + zlib.MAX_WBITS, max_bytes=max_bytes, label="gzip")
    elif codings and not _looks_like_json(data):
        # A body that already looks like JSON is taken as is: a proxy may have inflated it and kept the header.
        if codings[-1] in _DEFLATE_ENCODINGS:
            data = _inflate_deflate(data, max_bytes=max_bytes)
        else:
            data = _inflate(data, wbits=16 + zlib.MAX_WBITS, max_bytes=max_bytes, label="gzip")
    if len(data) > max_bytes:
        raise BodyError(status=413, reason=f"request body exceeds {max_bytes} bytes")
    return _parse_json(data)


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip(b" \t\r\n").removeprefix(_UTF8_BOM)[:1] in (b"{", b"[")


def _parse_encodings(content_encoding: str | None) -> list[str]:
    if content_encoding is None:
        return []
    tokens = [token.strip().lower() for token in content_encoding.split(",")]
    return [token for token in tokens if token not in _IDENTITY_ENCODINGS]


def _inflate(data: bytes, *, wbits: int, max_bytes: int, label: str) -> bytes:
    """Inflate one or more concatenated members, never producing more than ``max_bytes + 1`` bytes."""
    if not data:
        raise BodyError(status=400, reason=f"empty {label} body")
    out = bytearray()
    remaining = data
    while True:
        inflater = zlib.decompressobj(wbits=wbits)
        pending = remaining
        try:
            while pending:
                chunk = inflater.decompress(pending, max(1, min(_CHUNK, max_bytes + 1 - len(out))))
                out += chunk
                if len(out) > max_bytes:
                    raise BodyError(status=413, reason=f"decompressed body exceeds {max_bytes} bytes")
                pending = inflater.unconsumed_tail
                if inflater.eof:
                    break
            while not inflater.eof:
                chunk = inflater.flush(_CHUNK)
                if not chunk:
                    break
                out += chunk
                if len(out) > max_bytes:
                    raise BodyError(status=413, reason=f"decompressed body exceeds {max_bytes} bytes")
        except zlib.error as exc:
            raise BodyError(status=400, reason=f"invalid {label} data: {exc}") from exc
        if not inflater.eof:
            raise BodyError(status=400, reason=f"truncated {label} data")
        remaining = inflater.unused_data
        if not remaining or not remaining.strip(b"\x00"):
            return bytes(out)
        if not remaining.startswith(_GZIP_MAGIC) or label != "gzip":
            raise BodyError(status=400, reason=f"unexpected bytes after the {label} stream")


def _inflate_deflate(data: bytes, *, max_bytes: int) -> bytes:
    # "deflate" in HTTP means zlib-wrapped deflate, but some clients send raw deflate: try both.
    try:
        return _inflate(data, wbits=zlib.MAX_WBITS, max_bytes=max_bytes, label="deflate")
    except BodyError as exc:
        if exc.status != 400:
            raise
        return _inflate(data, wbits=-zlib.MAX_WBITS, max_bytes=max_bytes, label="deflate")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(data: bytes) -> Any:
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.strip():
        raise BodyError(status=400, reason="empty request body")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(status=400, reason=f"body is not valid UTF-8 (byte {exc.start})") from exc
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BodyError(
            status=400, reason=f"body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except ValueError as exc:
        raise BodyError(status=400, reason=f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise BodyError(status=400, reason="body is not valid JSON: nested too deeply") from exc
