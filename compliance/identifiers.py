"""Subject identifiers: the one normalisation, keyed digest and masked hint shared by every part of Custodian.

The PII scanner's subject-key index and GDPR subject requests must turn the same person's identifier into the
same digest whatever its formatting ("John.Doe@Example.com " and "john.doe@example.com"; "(555) 123-4567" and
"+1 555 123 4567"). Both therefore call :func:`subject_digest` / :func:`subject_digests` from this module and
nothing else. The catalog stores only the digest (HMAC-SHA256 under ``CUSTODIAN_SUBJECT_KEY``) and, for
subject requests, the masked hint of :func:`mask_identifier`; never the identifier.

Pure library code: no Django, no settings; the key and the default phone region are explicit parameters.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable

import phonenumbers

from compliance.pii.entities import IDENTIFIER_ENTITY_KINDS

__all__ = [
    "DEFAULT_PHONE_REGION",
    "IdentifierKind",
    "identifier_kind_for_entity",
    "mask_identifier",
    "normalise_identifier",
    "subject_digest",
    "subject_digests",
]

DEFAULT_PHONE_REGION = "US"
"""Region assumed for phone numbers written without a country code (ISO 3166-1 alpha-2)."""


class IdentifierKind(enum.StrEnum):
    """Kinds of identifier that single out a data subject; the value is the prefix hashed into the digest."""

    EMAIL = "email"
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    CUSTOMER_ID = "customer_id"
    IBAN = "iban"
    CREDIT_CARD = "credit_card"


# Spaces (any Unicode whitespace), ASCII and typographic dashes, dots: formatting, never part of the identifier.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.]+")
_NON_DIGITS = re.compile(r"\D+")
# North American numbers in national notation. phonenumbers.parse() yields "+1" followed by these ten digits for
# such strings (checked against phonenumbers in tests), at 1/20 of the cost: the common case on US data.
_NANP_PLAIN = re.compile(r"(?:\+?1[\s.-]?)?\(?([2-9]\d\d)\)?[\s.-]?(\d{3})[\s.-]?(\d{4})")
_NANP_REGIONS = frozenset({"US", "CA"})
_SHA256_BLOCK = 64
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def _coerce_kind(kind: IdentifierKind | str) -> IdentifierKind:
    try:
        return IdentifierKind(kind)
    except ValueError:
        raise ValueError(f"unknown identifier kind {kind!r}") from None


def _normalise_phone(value: str, region: str) -> str:
    if region in _NANP_REGIONS:
        match = _NANP_PLAIN.fullmatch(value)
        if match:
            return "+1" + "".join(match.groups())
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return _NON_DIGITS.sub("", value)
    if not phonenumbers.is_possible_number(number):
        return _NON_DIGITS.sub("", value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ASCII separators removed by str.translate (fast); anything else non-alphanumeric left over goes through the regex.
_ASCII_SEPARATORS = str.maketrans("", "", " \t\n\r\x0b\x0c-.")


def _normalise_code(value: str) -> str:
    compact = value.translate(_ASCII_SEPARATORS)
    if not compact.isalnum():
        compact = _SEPARATORS.sub("", compact)
    return compact.upper()


def _normaliser(kind: IdentifierKind, region: str) -> Callable[[str], str]:
    """Return the normalisation of ``kind`` as a one-argument function (chosen once per column)."""
    if kind is IdentifierKind.EMAIL:
        return lambda value: str(value).strip().lower()
    if kind is IdentifierKind.PHONE:
        return lambda value: _normalise_phone(str(value).strip(), region)
    return lambda value: _normalise_code(str(value))


def _normalise(kind: IdentifierKind, value: str, region: str) -> str:
    return _normaliser(kind, region)(value)


def normalise_identifier(kind: IdentifierKind | str, value: str, *, default_region: str = DEFAULT_PHONE_REGION) -> str:
    """Return the canonical form of ``value`` for identifier ``kind``.

    - email: trimmed and lower-cased;
    - phone: E.164 (``+15551234567``) via phonenumbers, national numbers read in ``default_region``; extensions
      are dropped; a value phonenumbers cannot parse, or whose length fits no numbering plan, falls back to
      its digits only (``"call 12"`` → ``"12"``);
    - national_id, customer_id, iban, credit_card: spaces, dashes and dots removed, upper-cased.

    Raises ``ValueError`` for an unknown kind or a value that normalises to the empty string.
    """
    kind = _coerce_kind(kind)
    normalised = _normalise(kind, value, default_region.upper())
    if not normalised:
        raise ValueError(f"{kind.value} identifier is empty after normalisation")
    return normalised


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("the subject key must be non-empty bytes")


def subject_digest(
    kind: IdentifierKind | str, value: str, *, key: bytes, default_region: str = DEFAULT_PHONE_REGION
) -> str:
    """Return the hex HMAC-SHA256, under ``key``, of ``f"{kind}:{normalised value}"``.

    The kind is part of the message, so the same string as an email and as a customer id gives two digests.
    Raises ``ValueError`` for an empty key, an unknown kind or a value that normalises to nothing.
    """
    _check_key(key)
    kind = _coerce_kind(kind)
    normalised = normalise_identifier(kind, value, default_region=default_region)
    return hmac.digest(key, f"{kind.value}:{normalised}".encode(), "sha256").hex()


def _hmac_sha256_hex(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 (RFC 2104) with the key pads hashed once: 2.5x faster than ``hmac.digest`` per message."""
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(key.translate(_IPAD))
    outer = hashlib.sha256(key.translate(_OPAD))

    def digest(message: bytes) -> str:
        first = inner.copy()
        first.update(message)
        second = outer.copy()
        second.update(first.digest())
        return second.hexdigest()

    return digest


def subject_digests(
    kind: IdentifierKind | str,
    values: Iterable[str],
    *,
    key: bytes,
    default_region: str = DEFAULT_PHONE_REGION,
    skip_empty: bool = False,
) -> list[str]:
    """Return :func:`subject_digest` of every value, in order, for a whole column at once.

    Identical raw values are normalised and hashed once (columns repeat identifiers); the per-value work is
    one dictionary look-up, so millions of values take seconds (phones that need phonenumbers cost more).
    A value that normalises to nothing ("n/a" as a phone, " - " as an id) raises ``ValueError`` naming its
    position, and no digest list is returned; with ``skip_empty=True`` it is left out instead (the result is
    then shorter than ``values``).
    """
    _check_key(key)
    kind = _coerce_kind(kind)
    normalise = _normaliser(kind, default_region.upper())
    prefix = f"{kind.value}:".encode()
    digest = _hmac_sha256_hex(key)
    cache: dict[str, str] = {}
    out: list[str] = []
    append = out.append
    for position, value in enumerate(values):
        found = cache.get(value)
        if found is None:
            normalised = normalise(value)
            if not normalised:
                if skip_empty:
                    cache[value] = ""
                    continue
                raise ValueError(f"{kind.value} identifier at position {position} is empty after normalisation")
            found = digest(prefix + normalised.encode())
            cache[value] = found
        elif not found:
            continue
        append(found)
    return out


def _mask_tail(text: str, keep: int) -> str:
    keep = min(keep, len(text) - 1) if len(text) > 1 else 0
    return "*" * (len(text) - keep) + text[len(text) - keep :]


def mask_identifier(kind: IdentifierKind | str, value: str, *, default_region: str = DEFAULT_PHONE_REGION) -> str:
    """Return a hint that lets an officer recognise ``value`` without revealing it.

    Works on the normalised form: ``j***@example.com`` (domain kept), ``+44*******123`` (country code and last
    three digits kept), ``************1234`` for cards, ``GB****************0328`` for IBANs (country and last
    four), and the last third (at most four characters) of national and customer ids.
    """
    kind = _coerce_kind(kind)
    normalised = normalise_identifier(kind, value, default_region=default_region)
    if kind is IdentifierKind.EMAIL:
        local, at, domain = normalised.rpartition("@")
        if not at:
            return _mask_tail(normalised, 0)
        return f"{local[:1]}***@{domain}"
    if kind is IdentifierKind.PHONE:
        if normalised.startswith("+"):
            try:
                country = str(phonenumbers.parse(normalised).country_code)
            except phonenumbers.NumberParseException:
                country = ""
            head = "+" + country
            return head + _mask_tail(normalised[len(head) :], 3)
        return _mask_tail(normalised, 3)
    if kind is IdentifierKind.CREDIT_CARD:
        return _mask_tail(normalised, 4)
    if kind is IdentifierKind.IBAN:
        return normalised[:2] + _mask_tail(normalised[2:], 4)
    return _mask_tail(normalised, max(1, min(4, len(normalised) // 3)))


def identifier_kind_for_entity(entity_type: str) -> IdentifierKind | None:
    """Return the identifier kind under which a scanner entity type is indexed, or ``None`` if it is not a key.

    ``EMAIL_ADDRESS`` → email, ``PHONE_NUMBER`` → phone, ``US_SSN``/``UK_NINO`` → national_id, ``IBAN_CODE`` →
    iban, ``CREDIT_CARD`` → credit_card; names, addresses and the rest → ``None``.
    """
    kind = IDENTIFIER_ENTITY_KINDS.get(entity_type)
    return IdentifierKind(kind) if kind is not None else None
