"""Labelled synthetic tables for the PII classifier: Faker data in several locales, decoys, free text; column F1.

:func:`make_labelled_table` returns a DataFrame plus, per column, the verdict and entity types a correct
classifier reports (:class:`Expected`). Rows mix the requested locales (each row draws one), so every PII
column holds names, phones, addresses … from all of them. Column headers are drawn from realistic synonyms
(``dob`` / ``date_of_birth`` / ``birth_date`` …) so the classifier is not tuned to one spelling.

:func:`column_f1` scores verdicts against the labels (definition in its docstring).

Run ``python -m benchmarks.pii_corpus`` for a table of F1, exact verdicts (IS/CONTAINS/NONE as labelled),
per-column misses and timings over several seeds; it exits non-zero below :data:`TARGET_F1`.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import pandas as pd
from faker import Faker

from compliance.pii import entities as E

__all__ = [
    "DEFAULT_LOCALES",
    "TARGET_F1",
    "ColumnScore",
    "Expected",
    "column_f1",
    "column_scores",
    "make_labelled_table",
]

DEFAULT_LOCALES: tuple[str, ...] = ("en_US", "en_GB", "de_DE", "fr_FR")
TARGET_F1 = 0.97
"""Column F1 the classifier must reach (DESIGN.md: PII classification benchmark)."""

Verdict = Literal["IS", "CONTAINS", "NONE"]


@dataclass(frozen=True, slots=True)
class Expected:
    """Ground truth for one column: its verdict and the entity types that count as a correct finding.

    ``entities`` lists every acceptable entity type: an address column is right when reported as
    ``STREET_ADDRESS`` or ``LOCATION``; notes are right with any of the PII types planted in them.
    """

    verdict: Verdict
    entities: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_pii(self) -> bool:
        """Whether the column holds personal data (verdict IS or CONTAINS)."""
        return self.verdict != "NONE"


def _expect(verdict: Verdict, *entities: str) -> Expected:
    return Expected(verdict, frozenset(entities))


#
# Value generators
#

_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BAD_PREFIXES = {"BG", "GB", "NK", "KN", "NT", "TN", "ZZ"}
_DOB_FORMATS = {"en_US": "%m/%d/%Y", "en_GB": "%d/%m/%Y", "de_DE": "%d.%m.%Y", "fr_FR": "%d/%m/%Y"}
_CATEGORIES = ["Electronics", "Books", "Garden", "Toys", "Grocery", "Clothing", "Sports", "Beauty"]
_STATUSES = ["pending", "shipped", "delivered", "returned", "cancelled"]
_ADJECTIVES = ["lightweight", "durable", "compact", "waterproof", "ergonomic", "stainless", "rechargeable",
               "adjustable", "foldable", "breathable", "premium", "recycled", "wireless", "heavy-duty"]  # fmt: skip
_MATERIALS = ["steel", "cotton", "bamboo", "aluminium", "leather", "oak", "silicone", "wool", "glass", "ceramic"]
_NOUNS = ["backpack", "kettle", "desk lamp", "water bottle", "chair", "jacket", "keyboard", "frying pan",
          "yoga mat", "headphones", "notebook", "toolbox", "blender", "tent"]  # fmt: skip
_FEATURES = ["two zip pockets", "a five year warranty", "a non-slip base", "easy-clean surfaces",
             "a detachable strap", "quick charging", "a reinforced frame", "soft padding", "a matte finish",
             "dishwasher-safe parts", "a compact storage bag", "low noise operation"]  # fmt: skip
_NAME_TEMPLATES = ["Spoke with {name} about the late delivery.", "{name} asked for a copy of the invoice.",
                   "Customer {name} requested a refund for the damaged item.",
                   "Escalated to the billing team on behalf of {name}.",
                   "Left a voicemail for {name}, will try again tomorrow."]  # fmt: skip
_EMAIL_TEMPLATES = ["Send the updated quote to {email} please.", "Confirmation was emailed to {email}.",
                    "Customer prefers contact by email: {email}.",
                    "Bounce received from {email}, check spelling."]  # fmt: skip
_PHONE_TEMPLATES = ["Please call back on {phone} after 5pm.", "Reachable by phone at {phone}.",
                    "Mobile number changed to {phone}."]  # fmt: skip
_FILLER = ["Parcel left with the neighbour as requested.", "Ticket closed after the replacement arrived.",
           "Payment failed twice, card issuer contacted.", "Warehouse confirmed the item is back in stock.",
           "Discount code applied to the next order.", "Courier reported a delay because of the weather.",
           "Return label generated and sent.", "Asked about bulk pricing for the office.",
           "Item arrived scratched, photos attached to the ticket.", "No further action needed."]  # fmt: skip


def _nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(_NINO_FIRST) + rng.choice(_NINO_SECOND)
        if prefix not in _NINO_BAD_PREFIXES:
            break
    digits = "".join(rng.choice(string.digits) for _ in range(6))
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def _iban(fake: Faker, rng: random.Random) -> str:
    iban = fake.iban()
    if rng.random() < 0.3:  # printed form, groups of four
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


def _dob(fake: Faker, locale: str, rng: random.Random) -> str:
    born = fake.date_of_birth(minimum_age=18, maximum_age=90)
    return born.isoformat() if rng.random() < 0.4 else born.strftime(_DOB_FORMATS.get(locale, "%d/%m/%Y"))


def _description(rng: random.Random) -> str:
    return (
        f"{rng.choice(_ADJECTIVES).capitalize()} {rng.choice(_MATERIALS)} {rng.choice(_NOUNS)} with "
        f"{rng.choice(_FEATURES)} and {rng.choice(_FEATURES)}, {rng.choice(_ADJECTIVES)} and easy to "
        f"{rng.choice(['carry', 'clean', 'store', 'assemble', 'use'])}."
    )


def _note(fake: Faker, rng: random.Random, *, p_name: float, p_email: float, p_phone: float) -> str:
    parts = [rng.choice(_FILLER)]
    if rng.random() < p_name:
        parts.append(rng.choice(_NAME_TEMPLATES).format(name=fake.name()))
    if rng.random() < p_email:
        parts.append(rng.choice(_EMAIL_TEMPLATES).format(email=fake.email()))
    if rng.random() < p_phone:
        parts.append(rng.choice(_PHONE_TEMPLATES).format(phone=fake.phone_number()))
    if rng.random() < 0.5:
        parts.append(rng.choice(_FILLER))
    rng.shuffle(parts)
    return " ".join(parts)


#
# Table
#


def make_labelled_table(
    *, rows: int, seed: int, locales: Sequence[str] = DEFAULT_LOCALES
) -> tuple[pd.DataFrame, dict[str, Expected]]:
    """Return a ``rows``-row DataFrame of synthetic customer/order data and the expected label per column.

    Deterministic for a given ``seed`` and ``locales``. PII columns (expected IS): person name, email, phone
    (each row in its locale's formats, extensions included), one-line postal address, date of birth under a
    birth-related header (ISO or the locale's numeric format), US SSN, UK NINO, IBAN (some in groups of four),
    credit card (all Faker schemes), IPv4/IPv6. Decoys (expected NONE): integer ids (also 10-digit ones, which
    parse as US phone numbers), amounts, quantities, ISO timestamp strings and a datetime column, product
    codes (``SKU-48213-B``), order numbers, UUIDs, booleans, categories, statuses, and product descriptions
    (prose without PII). Free text (expected CONTAINS): notes with names/emails/phones in 40/20/10 % of rows
    and ticket comments with an email in 2 % of rows.
    """
    if rows < 1:
        raise ValueError("rows must be positive")
    rng = random.Random(seed)
    fakers = {}
    for offset, locale in enumerate(locales):
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(seed * 1_000 + offset)
    us = fakers.get("en_US") or Faker("en_US")
    us.seed_instance(seed * 1_000 + 999)

    headers = {
        "name": rng.choice(["customer_name", "full_name", "name", "contact_person"]),
        "email": rng.choice(["email", "email_address", "contact_email", "e_mail"]),
        "phone": rng.choice(["phone", "phone_number", "telephone", "contact_no"]),
        "address": rng.choice(["address", "street_address", "shipping_address", "postal_address"]),
        "dob": rng.choice(["dob", "date_of_birth", "birth_date", "birthday"]),
        "ssn": rng.choice(["ssn", "social_security_number", "us_ssn"]),
        "nino": rng.choice(["nino", "ni_number", "national_insurance_number"]),
        "iban": rng.choice(["iban", "bank_account_iban", "payout_iban"]),
        "card": rng.choice(["credit_card", "card_number", "payment_card"]),
        "ip": rng.choice(["ip_address", "last_login_ip", "client_ip"]),
    }

    start = datetime(2023, 1, 1)
    data: dict[str, list[Any]] = {key: [] for key in headers}
    decoys: dict[str, list[Any]] = {
        "id": [],
        "external_ref": [],
        "amount": [],
        "quantity": [],
        "created_at": [],
        "updated_at": [],
        "product_code": [],
        "order_number": [],
        "session_id": [],
        "is_active": [],
        "category": [],
        "status": [],
        "description": [],
    }
    free: dict[str, list[str]] = {"notes": [], "comment": []}

    for row in range(rows):
        locale = rng.choice(list(locales))
        fake = fakers[locale]
        data["name"].append(fake.name())
        data["email"].append(fake.email())
        data["phone"].append(fake.phone_number())
        data["address"].append(", ".join(part.strip() for part in fake.address().splitlines() if part.strip()))
        data["dob"].append(_dob(fake, locale, rng))
        data["ssn"].append(us.ssn())
        data["nino"].append(_nino(rng))
        data["iban"].append(_iban(fake, rng))
        data["card"].append(fake.credit_card_number())
        data["ip"].append(fake.ipv4() if rng.random() < 0.8 else fake.ipv6())

        moment = start + timedelta(seconds=rng.randrange(0, 730 * 86_400))
        decoys["id"].append(row + 1)
        decoys["external_ref"].append(rng.randint(2_000_000_000, 9_999_999_999))
        decoys["amount"].append(round(rng.uniform(1, 5_000), 2))
        decoys["quantity"].append(rng.randint(1, 20))
        decoys["created_at"].append(moment.strftime("%Y-%m-%dT%H:%M:%S"))
        decoys["updated_at"].append(moment + timedelta(hours=rng.randint(1, 72)))
        decoys["product_code"].append(f"SKU-{rng.randint(10_000, 99_999)}-{rng.choice(string.ascii_uppercase)}")
        decoys["order_number"].append(f"ORD-{moment.year}-{rng.randint(0, 999_999):06d}")
        decoys["session_id"].append(str(fake.uuid4()))
        decoys["is_active"].append(rng.random() < 0.7)
        decoys["category"].append(rng.choice(_CATEGORIES))
        decoys["status"].append(rng.choice(_STATUSES))
        decoys["description"].append(_description(rng))

        free["notes"].append(_note(fake, rng, p_name=0.4, p_email=0.2, p_phone=0.1))
        ticket = f"Ticket {rng.randint(10_000, 99_999)}: "
        free["comment"].append(ticket + _note(fake, rng, p_name=0.0, p_email=0.02, p_phone=0.0))

    frame: dict[str, Any] = {}
    labels: dict[str, Expected] = {}
    pii_labels = {
        "name": _expect("IS", E.PERSON),
        "email": _expect("IS", E.EMAIL_ADDRESS),
        "phone": _expect("IS", E.PHONE_NUMBER),
        "address": _expect("IS", E.STREET_ADDRESS, E.LOCATION),
        "dob": _expect("IS", E.DATE_OF_BIRTH),
        "ssn": _expect("IS", E.US_SSN),
        "nino": _expect("IS", E.UK_NINO),
        "iban": _expect("IS", E.IBAN_CODE),
        "card": _expect("IS", E.CREDIT_CARD),
        "ip": _expect("IS", E.IP_ADDRESS),
    }
    for key, header in headers.items():
        frame[header] = data[key]
        labels[header] = pii_labels[key]
    for name, values in decoys.items():
        frame[name] = values
        labels[name] = _expect("NONE")
    frame["notes"] = free["notes"]
    labels["notes"] = _expect("CONTAINS", E.PERSON, E.EMAIL_ADDRESS, E.PHONE_NUMBER)
    frame["comment"] = free["comment"]
    labels["comment"] = _expect("CONTAINS", E.EMAIL_ADDRESS)

    df = pd.DataFrame(frame)
    df["updated_at"] = pd.to_datetime(df["updated_at"])
    return df, labels


#
# Scoring
#


@dataclass(frozen=True, slots=True)
class ColumnScore:
    """How one column's verdict compares with its label: ``tp``, ``fp``, ``fn``, ``tn`` (one or two set)."""

    name: str
    expected: Expected
    verdict: str
    entities: tuple[str, ...]
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def correct(self) -> bool:
        """True positive or true negative."""
        return bool(self.tp or self.tn)


def _verdict_fields(verdict: Any) -> tuple[str, str, tuple[str, ...]]:
    if isinstance(verdict, Mapping):
        return verdict["name"], verdict["verdict"], tuple(e["type"] for e in verdict["entities"])
    return verdict.name, verdict.verdict, tuple(e.type for e in verdict.entities)


def column_scores(expected: Mapping[str, Expected], verdicts: Iterable[Any]) -> list[ColumnScore]:
    """Score each verdict (a ``ColumnVerdict`` or its ``to_dict()``) against ``expected``; see :func:`column_f1`.

    A labelled column without a verdict counts as predicted NONE. Verdicts for unlabelled columns are ignored.
    """
    found = {name: (verdict, entities) for name, verdict, entities in map(_verdict_fields, verdicts)}
    scores = []
    for name, label in expected.items():
        verdict, entities = found.get(name, ("NONE", ()))
        predicted_pii = verdict in ("IS", "CONTAINS")
        match = predicted_pii and bool(label.entities & set(entities))
        tp = int(label.is_pii and match)
        fn = int(label.is_pii and not match)
        fp = int(predicted_pii and not match)
        tn = int(not label.is_pii and not predicted_pii)
        scores.append(ColumnScore(name, label, verdict, entities, tp, fp, fn, tn))
    return scores


def column_f1(expected: Mapping[str, Expected], verdicts: Iterable[Any]) -> float:
    """Column-level F1 of PII detection: ``2·TP / (2·TP + FP + FN)``.

    Per labelled column:

    - **TP**: label is PII (IS or CONTAINS) and the verdict is IS or CONTAINS with at least one entity type in
      the label's set (IS vs CONTAINS is not distinguished);
    - **FN**: label is PII and the verdict is NONE, or names none of the expected entity types;
    - **FP**: verdict is IS or CONTAINS but the label is NONE, or the verdict names none of the expected types
      (a PII column reported with the wrong entity is both an FN and an FP);
    - **TN**: label NONE and verdict NONE (a correctly ignored decoy). TNs do not enter F1; see
      :func:`column_scores` for accuracy.

    Returns 1.0 when there is nothing to find and nothing was reported.
    """
    scores = column_scores(expected, verdicts)
    tp = sum(s.tp for s in scores)
    fp = sum(s.fp for s in scores)
    fn = sum(s.fn for s in scores)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


#
# Benchmark entry point
#


def _run(rows: int, seeds: Sequence[int], locales: Sequence[str]) -> int:
    from compliance.pii import classifier, engine

    started = time.perf_counter()
    engine.pattern_analyzer()
    engine.ner_analyzer()
    load = time.perf_counter() - started
    print(f"analyzers loaded in {load:.2f} s")
    print(
        f"{'seed':>4} {'rows':>6} {'cols':>4} {'F1':>6} {'exact':>6} {'sample s':>9} {'classify s':>10} {'cells':>6} "
        f"{'cells/s':>8}"
    )
    all_scores: list[ColumnScore] = []
    for seed in seeds:
        df, labels = make_labelled_table(rows=rows, seed=seed, locales=locales)
        t0 = time.perf_counter()
        sampler = classifier.ColumnSampler()
        for chunk_start in range(0, len(df), 10_000):
            sampler.update(df.iloc[chunk_start : chunk_start + 10_000])
        samples = sampler.samples()
        t1 = time.perf_counter()
        verdicts = classifier.classify_columns(samples)
        t2 = time.perf_counter()
        cells = sum(v.sampled for v in verdicts)
        scores = column_scores(labels, verdicts)
        all_scores.extend(scores)
        f1 = column_f1(labels, verdicts)
        exact = sum(score.verdict == score.expected.verdict for score in scores)
        print(
            f"{seed:>4} {rows:>6} {len(df.columns):>4} {f1:>6.3f} {exact:>3}/{len(scores):<2} {t1 - t0:>9.2f} "
            f"{t2 - t1:>10.2f} {cells:>6} {cells / (t2 - t1):>8.0f}"
        )
        for score in scores:
            if not score.correct or score.verdict != score.expected.verdict:
                print(f"     miss: {score.name}: expected {score.expected.verdict} {sorted(score.expected.entities)}, "
                      f"got {score.verdict} {list(score.entities)}")  # fmt: skip
    tp = sum(s.tp for s in all_scores)
    fp = sum(s.fp for s in all_scores)
    fn = sum(s.fn for s in all_scores)
    f1 = 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)
    verdict = "ok" if f1 >= TARGET_F1 else "BELOW TARGET"
    print(f"overall column F1: {f1:.4f}  (TP {tp}, FP {fp}, FN {fn}; target >= {TARGET_F1}: {verdict})")
    return 0 if f1 >= TARGET_F1 else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.pii_corpus [--rows N] [--seeds 1 2 3] [--locales en_US de_DE]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--locales", nargs="+", default=list(DEFAULT_LOCALES))
    args = parser.parse_args(argv)
    return _run(args.rows, args.seeds, args.locales)


if __name__ == "__main__":
    sys.exit(main())
