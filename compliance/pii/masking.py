"""Masked examples for PII findings: show the shape of what was found, never the value.

:func:`mask_value` is applied to a *detected span* (never to a whole cell), so the text around a finding in a
free-text column is not shown at all. Each entity type keeps only what a reviewer needs to judge the finding:
the first letter of an email's local part and domain plus its top-level domain, the last digits of an id, a
name's initials.
"""

from __future__ import annotations

import re

from compliance.pii import entities as E

__all__ = ["mask_value"]

_ALNUM = re.compile(r"[^\W_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+", re.UNICODE)
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")


def _mask_keep_last(text: str, keep: int) -> str:
    """Replace every letter and digit by ``*`` except the last ``keep`` ones; separators stay."""
    positions = [m.start() for m in _ALNUM.finditer(text)]
    keep = min(keep, max(len(positions) - 1, 0))
    hide = set(positions[: len(positions) - keep])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def _mask_keep_first(text: str, keep: int) -> str:
    """Replace every letter and digit by ``*`` except the first ``keep`` ones; separators stay."""
    positions = [m.start() for m in _ALNUM.finditer(text)]
    keep = min(keep, max(len(positions) - 1, 0))
    hide = set(positions[keep:])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def _mask_email(text: str) -> str:
    local, at, domain = text.strip().rpartition("@")
    if not at:
        return _mask_words(text)
    labels = domain.split(".")
    tld = labels[-1] if len(labels) > 1 else ""
    host = labels[0]
    masked_domain = f"{host[:1]}***" + (f".{tld}" if tld else "")
    return f"{local[:1]}***@{masked_domain}"


def _initials(text: str) -> str:
    words = [w for w in _WORD.findall(text) if not w.isdigit()]
    if not words:
        return "*"
    return " ".join(f"{w[0].upper()}." for w in words)


def _mask_words(text: str) -> str:
    """Each word becomes its first letter and ``***``; each token holding a digit becomes ``#`` per character."""
    return _TOKEN.sub(lambda m: "#" * len(m.group()) if _DIGIT.search(m.group()) else m.group()[0] + "***", text)


def _mask_ip(text: str) -> str:
    text = text.strip()
    if ":" in text:
        head, _, _ = text.partition(":")
        return f"{head}:****:..."
    head, _, _ = text.partition(".")
    return f"{head}.***.***.***"


def mask_value(entity_type: str, text: str) -> str:
    """Return a masked rendering of ``text``, a span detected as ``entity_type``; never the span itself.

    ``john.doe@example.com`` → ``j***@e***.com``; ``123-45-6789`` → ``***-**-6789``; ``Jane Doe`` → ``J. D.``;
    ``4111 1111 1111 1111`` → ``**** **** **** 1111``; ``GB82WEST12345698765432`` →
    ``GB****************5432``; ``192.168.1.20`` → ``192.***.***.***``; dates keep their separators only.
    Unknown entity types get word-initial masking (``Berlin`` → ``B***``).
    """
    text = text.strip()
    if not text:
        return ""
    if entity_type == E.EMAIL_ADDRESS:
        return _mask_email(text)
    if entity_type == E.PERSON:
        return _initials(text)
    if entity_type in (E.US_SSN, E.CREDIT_CARD):
        return _mask_keep_last(text, 4)
    if entity_type == E.UK_NINO:
        return _mask_keep_last(text, 3)
    if entity_type == E.PHONE_NUMBER:
        return _mask_keep_last(text, 3)
    if entity_type == E.IBAN_CODE:
        compact = re.sub(r"\s+", "", text)
        return compact[:2] + _mask_keep_last(compact[2:], 4)
    if entity_type == E.IP_ADDRESS:
        return _mask_ip(text)
    if entity_type == E.DATE_OF_BIRTH:
        return _ALNUM.sub("*", text)
    return _mask_words(text)
