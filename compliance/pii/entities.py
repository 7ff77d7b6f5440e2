"""Entity types the PII scanner reports, and which of them identify a data subject.

The names are Presidio's entity names where Presidio has one (``EMAIL_ADDRESS``, ``US_SSN`` …) so recognizer
results need no translation; ``STREET_ADDRESS`` and ``DATE_OF_BIRTH`` are Custodian's own recognizers.

This module is import-light on purpose (no Presidio, no spaCy): the subject-request code path reads
:data:`IDENTIFIER_ENTITY_KINDS` without paying for the NLP stack.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ALL_ENTITIES",
    "CREDIT_CARD",
    "DATE_OF_BIRTH",
    "EMAIL_ADDRESS",
    "IBAN_CODE",
    "IDENTIFIER_ENTITIES",
    "IDENTIFIER_ENTITY_KINDS",
    "IP_ADDRESS",
    "LOCATION",
    "NER_ENTITIES",
    "NRP",
    "PATTERN_ENTITIES",
    "PERSON",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "UK_NINO",
    "US_SSN",
]

PERSON: Final = "PERSON"
"""A person's name (spaCy NER)."""
NRP: Final = "NRP"
"""Nationality, religious or political group (spaCy NER ``NORP``): special-category data under GDPR Art. 9."""
LOCATION: Final = "LOCATION"
"""A place name: city, country, region, facility (spaCy NER ``GPE``/``LOC``/``FAC``)."""
STREET_ADDRESS: Final = "STREET_ADDRESS"
"""A postal address line or post code (pattern recognizer: street suffixes, US ZIP, UK postcode, EU forms)."""
EMAIL_ADDRESS: Final = "EMAIL_ADDRESS"
PHONE_NUMBER: Final = "PHONE_NUMBER"
DATE_OF_BIRTH: Final = "DATE_OF_BIRTH"
"""A date recognised as a birth date only through context: the column header or "born"/"DOB" before it."""
US_SSN: Final = "US_SSN"
UK_NINO: Final = "UK_NINO"
IBAN_CODE: Final = "IBAN_CODE"
CREDIT_CARD: Final = "CREDIT_CARD"
IP_ADDRESS: Final = "IP_ADDRESS"

NER_ENTITIES: Final[tuple[str, ...]] = (PERSON, LOCATION, NRP)
"""Entities found by the spaCy NER stage (stage 2 of the classifier)."""

PATTERN_ENTITIES: Final[tuple[str, ...]] = (
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    STREET_ADDRESS,
    DATE_OF_BIRTH,
    US_SSN,
    UK_NINO,
    IBAN_CODE,
    CREDIT_CARD,
    IP_ADDRESS,
)
"""Entities found by pattern recognizers (stage 1 of the classifier)."""

ALL_ENTITIES: Final[tuple[str, ...]] = PATTERN_ENTITIES + NER_ENTITIES

IDENTIFIER_ENTITY_KINDS: Final[dict[str, str]] = {
    EMAIL_ADDRESS: "email",
    PHONE_NUMBER: "phone",
    US_SSN: "national_id",
    UK_NINO: "national_id",
    IBAN_CODE: "iban",
    CREDIT_CARD: "credit_card",
}
"""Entity type → identifier kind (a value of ``compliance.identifiers.IdentifierKind``) for the subject-key index.

Only entities that single out one data subject on their own and have one canonical normal form are listed;
names, addresses, dates of birth and IP addresses are personal data but not lookup keys.
"""

IDENTIFIER_ENTITIES: Final[frozenset[str]] = frozenset(IDENTIFIER_ENTITY_KINDS)
"""Entity types whose columns get a full pass into the subject-key index."""
