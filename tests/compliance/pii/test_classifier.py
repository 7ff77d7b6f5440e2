"""Two-stage column classifier: a verdict per entity type and per decoy, free text, masked examples, rules."""

import itertools
from dataclasses import dataclass

import pytest

from compliance.pii import engine
from compliance.pii.classifier import (
    FREE_TEXT_SAMPLE_SIZE,
    SAMPLE_SIZE,
    ColumnSample,
    ColumnVerdict,
    EntityScore,
    classify_column,
    classify_columns,
    header_context,
    is_free_text,
    wilson_lower_bound,
)

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson"]
STREETS = ["Maple", "Oak", "Cedar", "Elm", "Washington", "Lincoln", "Park", "Lake"]
SUFFIXES = ["Street", "Avenue", "Road", "Lane", "Drive"]
CITIES = [("Springfield", "IL", "62704"), ("Portland", "OR", "97205"), ("Austin", "TX", "78701")]


def _luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "0" * (length - len(prefix) - 1)
    for check in "0123456789":
        digits = [int(c) for c in body + check]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


def _card(i: int) -> str:
    number = _luhn_complete(f"4{i:07d}53", 16)
    return " ".join(number[j : j + 4] for j in range(0, 16, 4)) if i % 2 else number


def _iban(i: int) -> str:
    bban = f"WEST{60_000_000_000_000 + i * 7919:014d}"
    rearranged = "".join(str(int(c, 36)) for c in bban + "GB00")
    return f"GB{98 - int(rearranged) % 97:02d}{bban}"


def _nino(i: int) -> str:
    prefix = ["AB", "CE", "HJ", "JK", "PR", "ST", "WX"][i % 7]
    digits = f"{(i * 104_729) % 1_000_000:06d}"
    return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {'ABCD'[i % 4]}" if i % 2 else f"{prefix}{digits}C"


NAMES = [f"{first} {last}" for first, last in itertools.product(FIRST, LAST)]
EMAILS = [f"{f.lower()}.{last.lower()}{i}@{['example.com', 'mail.example.org'][i % 2]}" for i, (f, last) in
          enumerate(itertools.product(FIRST, LAST))]  # fmt: skip
PHONES = [f"(415) {200 + i:03d}-{1000 + 37 * i:04d}" for i in range(30)] + [f"+44 20 7946 {i:04d}" for i in range(30)]
ADDRESSES = [f"{10 + 7 * i} {STREETS[i % 8]} {SUFFIXES[i % 5]}, {CITIES[i % 3][0]}, {CITIES[i % 3][1]} "
             f"{CITIES[i % 3][2]}" for i in range(60)]  # fmt: skip
DATES = [f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(60)]
SSNS = [f"{100 + 7 * i:03d}-{10 + i % 89:02d}-{1000 + 113 * i:04d}" for i in range(60)]
NINOS = [_nino(i) for i in range(60)]
IBANS = [_iban(i) for i in range(60)]
CARDS = [_card(i) for i in range(60)]
IPS = [f"{10 + i}.{i}.{(7 * i) % 256}.{(13 * i) % 256}" for i in range(50)] + [f"2001:db8::{i:x}" for i in range(10)]

PII_COLUMNS = {
    "customer_name": (NAMES, "PERSON", 2),
    "email": (EMAILS, "EMAIL_ADDRESS", 1),
    "contact": (PHONES, "PHONE_NUMBER", 1),
    "address": (ADDRESSES, "STREET_ADDRESS", 1),
    "date_of_birth": (DATES, "DATE_OF_BIRTH", 1),
    "ssn": (SSNS, "US_SSN", 1),
    "ni_number": (NINOS, "UK_NINO", 1),
    "iban": (IBANS, "IBAN_CODE", 1),
    "card_number": (CARDS, "CREDIT_CARD", 1),
    "client_ip": (IPS, "IP_ADDRESS", 1),
}

DESCRIPTIONS = [f"Compact {m} {n} with a {f} finish and two pockets, easy to clean and carry."
                for m, n, f in itertools.product(["steel", "bamboo", "oak"], ["kettle", "lamp", "chair", "tent"],
                                                 ["matte", "gloss", "brushed", "satin", "natural"])]  # fmt: skip
DECOY_COLUMNS = {
    "id": ("numeric", [str(i) for i in range(1, 61)]),
    "external_ref": ("numeric", [str(2_000_000_000 + 104_729 * i) for i in range(60)]),
    "amount": ("numeric", [f"{12.5 + 3.17 * i:.2f}" for i in range(60)]),
    "updated_at": ("datetime", [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 0{i % 10}:15:00" for i in range(60)]),
    "created_on": ("text", DATES),
    "created_at": ("text", [f"2024-03-{1 + i % 28:02d}T1{i % 10}:2{i % 6}:00Z" for i in range(60)]),
    "product_code": ("text", [f"SKU-{48_213 + 97 * i}-{'ABCDEFGH'[i % 8]}" for i in range(60)]),
    "order_number": ("text", [f"ORD-2024-{1_000 + 1_733 * i:06d}" for i in range(60)]),
    "session_id": ("text", [f"{i:08x}-c2fa-4b1f-9d52-{i * 7919:012x}" for i in range(60)]),
    "is_active": ("bool", ["True", "False"]),
    "category": ("text", ["Electronics", "Books", "Toys", "Grocery", "Clothing", "Sports"]),
    "description": ("text", DESCRIPTIONS),
}

FILLER = ["Parcel left with the neighbour as requested.", "Ticket closed after the replacement arrived.",
          "Warehouse confirmed the item is back in stock.", "Return label generated and sent by post.",
          "Courier reported a delay because of the weather."]  # fmt: skip


def _notes() -> list[str]:
    notes = []
    for i in range(200):
        text = f"Case {1000 + i}: {FILLER[i % 5]}"
        if i % 10 == 0:
            text += f" Customer {NAMES[i % len(NAMES)]} asked for a refund."
        if i % 20 == 5:
            text += f" Send the quote to {EMAILS[i % len(EMAILS)]} please."
        notes.append(text)
    return notes


NOTES = _notes()


def _sample(name: str, values: list[str], kind: str = "text") -> ColumnSample:
    return ColumnSample(name=name, kind=kind, values=values)


@pytest.fixture(scope="module")
def verdicts() -> dict[str, ColumnVerdict]:
    samples = [_sample(name, values) for name, (values, _, _) in PII_COLUMNS.items()]
    samples += [_sample(name, values, kind) for name, (kind, values) in DECOY_COLUMNS.items()]
    samples.append(_sample("notes", NOTES))
    return {verdict.name: verdict for verdict in classify_columns(samples)}


@pytest.mark.parametrize("column", list(PII_COLUMNS))
def test_pii_column_is_its_entity(column, verdicts):
    # given
    values, entity, stage = PII_COLUMNS[column]
    # when
    verdict = verdicts[column]
    # then
    assert verdict.verdict == "IS"
    assert [e.type for e in verdict.entities] == [entity]
    assert verdict.sampled == len(values)
    assert verdict.stage == stage
    assert len(verdict.masked_examples) == (1 if entity == "DATE_OF_BIRTH" else 3)  # dates mask to one shape


@pytest.mark.parametrize("column", list(DECOY_COLUMNS))
def test_decoy_column_is_none(column, verdicts):
    # when
    verdict = verdicts[column]
    # then
    assert (verdict.verdict, verdict.entities, verdict.masked_examples) == ("NONE", [], [])
    assert verdict.sampled == len(DECOY_COLUMNS[column][1])


def test_free_text_with_names_and_emails_contains_both(verdicts):
    # when
    verdict = verdicts["notes"]
    # then
    assert verdict.verdict == "CONTAINS"
    assert [e.type for e in verdict.entities] == ["PERSON", "EMAIL_ADDRESS"]
    assert [(e.hit_rate, e.score) for e in verdict.entities] == [(0.1, 0.85), (0.05, 1.0)]
    assert verdict.sampled == 200
    assert verdict.stage == 2


@pytest.mark.parametrize("column", [*PII_COLUMNS, "notes"])
def test_masked_examples_never_contain_planted_values(column, verdicts):
    # given
    planted = NOTES if column == "notes" else PII_COLUMNS[column][0]
    secrets = set(planted) | set(EMAILS) | {part for name in NAMES for part in name.split()}
    secrets |= {email.split("@")[0] for email in EMAILS}
    # when
    examples = verdicts[column].masked_examples
    # then
    assert examples
    leaked = [(example, secret) for example in examples for secret in secrets if secret in example]
    assert leaked == []


def test_masked_examples_have_the_documented_shapes(verdicts):
    # then
    assert verdicts["email"].masked_examples == ["j***@e***.com", "j***@m***.org", "m***@e***.com"]
    assert verdicts["ssn"].masked_examples == ["***-**-1000", "***-**-1113", "***-**-1226"]
    assert verdicts["customer_name"].masked_examples == ["J. S.", "J. J.", "J. W."]
    assert verdicts["notes"].masked_examples == ["J. S.", "j***@m***.org", "M. W."]


def test_to_dict_has_the_stored_shape(verdicts):
    # when
    document = verdicts["ssn"].to_dict()
    # then
    assert document == {
        "name": "ssn",
        "verdict": "IS",
        "entities": [{"type": "US_SSN", "hit_rate": 1.0, "score": 0.85}],
        "sampled": 60,
        "masked_examples": ["***-**-1000", "***-**-1113", "***-**-1226"],
    }


def test_dates_count_as_birth_dates_only_under_a_birth_header(verdicts):
    # then
    assert verdicts["date_of_birth"].verdict == "IS"
    assert verdicts["created_on"].verdict == "NONE"


def test_ten_digit_numbers_are_phones_only_with_a_phone_header():
    # given
    digits = [f"415{2_000_000 + 7_919 * i:07d}" for i in range(60)]
    # when
    as_id, as_phone = classify_columns(
        [_sample("account_ref", digits, "numeric"), _sample("mobile", digits, "numeric")]
    )
    # then
    assert as_id.verdict == "NONE"
    assert (as_phone.verdict, [e.type for e in as_phone.entities]) == ("IS", ["PHONE_NUMBER"])


def test_rare_email_in_free_text_is_caught_at_the_free_text_sample_size():
    # given: 5 emails (1 %) among 500 distinct notes
    notes = [f"Case {i}: {FILLER[i % 5]}" for i in range(500)]
    for i in range(5):
        notes[i * 97] += f" Reply to {EMAILS[i]} today."
    # when
    verdict = classify_column(_sample("comment", notes))
    # then
    assert verdict.sampled == FREE_TEXT_SAMPLE_SIZE
    assert (verdict.verdict, [e.type for e in verdict.entities]) == ("CONTAINS", ["EMAIL_ADDRESS"])


def test_one_repeated_address_in_free_text_is_not_personal_data():
    # given: every note quotes the same function mailbox
    notes = [f"Case {i}: {FILLER[i % 5]} Questions to help@shop.example.com anytime." for i in range(300)]
    # when
    verdict = classify_column(_sample("comment", notes))
    # then
    assert (verdict.verdict, verdict.entities) == ("NONE", [])


def test_empty_column_is_none_with_nothing_sampled():
    # when
    verdict = classify_column(_sample("empty", []))
    # then
    assert verdict == ColumnVerdict("empty", "NONE", [], 0, [], 1)


def test_analyzers_are_built_once_per_process():
    # then
    assert engine.pattern_analyzer() is engine.pattern_analyzer()
    assert engine.ner_analyzer() is engine.ner_analyzer()


def test_batch_size_below_32_is_rejected():
    # when / then
    with pytest.raises(ValueError, match="at least 32"):
        classify_columns([_sample("email", EMAILS)], batch_size=8)


def test_sample_sizes():
    # then
    assert (SAMPLE_SIZE, FREE_TEXT_SAMPLE_SIZE) == (200, 500)


#
# Rules, with stub analyzers returning fixed hits
#


@dataclass
class _Hit:
    entity_type: str
    score: float
    start: int
    end: int


class _StubEngine:
    def process_batch(self, texts, language, batch_size=1):
        for text in texts:
            yield text, None


class _StubAnalyzer:
    def __init__(self, hits_by_text):
        self.hits_by_text = hits_by_text
        self.nlp_engine = _StubEngine()
        self.calls = 0

    def analyze(self, text, language, entities, context, nlp_artifacts):
        self.calls += 1
        return [_Hit(*hit) for hit in self.hits_by_text.get(text, [])]


def _classify_with(values, hits_by_text, *, kind="text", ner_hits=None):
    ner = _StubAnalyzer(ner_hits or {})
    verdict = classify_column(_sample("col", values, kind), pattern=_StubAnalyzer(hits_by_text), ner=ner)
    return verdict, ner.calls


def test_weak_hits_count_for_is_but_not_for_contains():
    # given: 0.4 phone-like hits on 70 % of cells, then on 10 %
    values = [f"v{i:07d}" for i in range(100)]
    many = {v: [("PHONE_NUMBER", 0.4, 0, 8)] for v in values[:70]}
    few = {v: [("PHONE_NUMBER", 0.4, 0, 8)] for v in values[:10]}
    # when
    is_verdict, _ = _classify_with(values, many)
    none_verdict, _ = _classify_with(values, few)
    # then
    assert (is_verdict.verdict, is_verdict.entities) == ("IS", [EntityScore("PHONE_NUMBER", 0.7, 0.4)])
    assert (none_verdict.verdict, none_verdict.entities) == ("NONE", [])


def test_overlap_keeps_the_highest_score_then_the_longest_span():
    # given: an email with an inner URL hit on every cell
    values = [f"user{i}@example.com" for i in range(50)]
    hits = {v: [("URL", 0.5, len(v) - 11, len(v)), ("EMAIL_ADDRESS", 1.0, 0, len(v))] for v in values}
    # when
    verdict, ner_calls = _classify_with(values, hits)
    # then
    assert (verdict.verdict, [e.type for e in verdict.entities]) == ("IS", ["EMAIL_ADDRESS"])
    assert verdict.stage == 1
    assert ner_calls == 0


def test_partial_coverage_is_contains_not_is():
    # given: a 4-character hit in 40-character cells, on every cell
    values = [f"{i:04d} and a long tail of words that follow it" for i in range(60)]
    hits = {v: [("US_SSN", 0.85, 0, 4)] for v in values}
    # when
    verdict, _ = _classify_with(values, hits, kind="numeric")
    # then
    assert (verdict.verdict, [e.type for e in verdict.entities]) == ("CONTAINS", ["US_SSN"])


def test_ner_runs_only_on_text_columns_with_words():
    # given
    words = [f"Word{i} here" for i in range(40)]
    codes = [f"SKU-{i}-B" for i in range(40)]
    # when
    _, on_words = _classify_with(words, {})
    _, on_codes = _classify_with(codes, {})
    _, on_numbers = _classify_with(words, {}, kind="numeric")
    # then
    assert (on_words, on_codes, on_numbers) == (40, 0, 0)


def test_wilson_lower_bound_matches_the_reference_thresholds():
    # then
    assert round(wilson_lower_bound(0, 0), 4) == 0.0
    assert round(wilson_lower_bound(114, 200), 3) == 0.501
    assert round(wilson_lower_bound(17, 200), 3) == 0.054


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("customerSSN_no", ["customer", "ssn", "no", "customer ssn no"]),
        ("date-of-birth", ["date", "of", "birth", "date of birth"]),
        ("IPAddress", ["ip", "address", "ip address"]),
        ("email", ["email"]),
    ],
)
def test_header_context(header, expected):
    # when
    words = header_context(header)
    # then
    assert words == expected


def test_is_free_text_tells_prose_from_structured_values():
    # then
    assert is_free_text(NOTES) is True
    assert is_free_text(ADDRESSES) is False
    assert is_free_text(NAMES) is False
