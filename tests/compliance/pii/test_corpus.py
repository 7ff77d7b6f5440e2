"""Column F1 of the classifier on the labelled Faker corpus, and the scoring rules of column_f1."""

import pytest

from benchmarks.pii_corpus import Expected, column_f1, column_scores, make_labelled_table
from compliance.pii.classifier import ColumnSampler, classify_columns

TABLES = [
    (1, 2_000, ("en_US", "en_GB", "de_DE", "fr_FR")),
    (2, 1_500, ("de_DE", "fr_FR")),
    (3, 1_500, ("en_GB",)),
    (4, 1_500, ("en_US", "fr_FR")),
]


@pytest.mark.parametrize(("seed", "rows", "locales"), TABLES)
def test_column_f1_on_the_generated_corpus(seed, rows, locales):
    # given
    df, labels = make_labelled_table(rows=rows, seed=seed, locales=locales)
    sampler = ColumnSampler()
    for start in range(0, rows, 500):
        sampler.update(df.iloc[start : start + 500])
    # when
    verdicts = classify_columns(sampler.samples())
    # then
    misses = [
        (s.name, s.expected.verdict, s.verdict, s.entities) for s in column_scores(labels, verdicts) if not s.correct
    ]
    assert misses == []
    assert column_f1(labels, verdicts) >= 0.97


def test_generated_table_is_deterministic_and_labelled_per_column():
    # when
    df_a, labels_a = make_labelled_table(rows=50, seed=9)
    df_b, labels_b = make_labelled_table(rows=50, seed=9)
    # then
    assert df_a.equals(df_b)
    assert labels_a == labels_b
    assert set(labels_a) == set(df_a.columns)
    assert sum(label.verdict == "IS" for label in labels_a.values()) == 10
    assert sum(label.verdict == "NONE" for label in labels_a.values()) == 13
    assert sum(label.verdict == "CONTAINS" for label in labels_a.values()) == 2


def _verdict(name, verdict, *entities):
    return {"name": name, "verdict": verdict, "entities": [{"type": e} for e in entities]}


def test_column_f1_counts_tp_fp_fn_as_documented():
    # given
    labels = {
        "email": Expected("IS", frozenset({"EMAIL_ADDRESS"})),
        "address": Expected("IS", frozenset({"STREET_ADDRESS", "LOCATION"})),
        "notes": Expected("CONTAINS", frozenset({"PERSON", "EMAIL_ADDRESS"})),
        "phone": Expected("IS", frozenset({"PHONE_NUMBER"})),
        "ip": Expected("IS", frozenset({"IP_ADDRESS"})),
        "id": Expected("NONE"),
        "amount": Expected("NONE"),
    }
    verdicts = [
        _verdict("email", "IS", "EMAIL_ADDRESS"),  # TP
        _verdict("address", "CONTAINS", "LOCATION", "PERSON"),  # TP: any expected entity, IS/CONTAINS alike
        _verdict("notes", "CONTAINS", "PERSON"),  # TP
        _verdict("phone", "NONE"),  # FN
        _verdict("ip", "IS", "PHONE_NUMBER"),  # wrong entity: FN and FP
        _verdict("id", "IS", "PHONE_NUMBER"),  # FP
        _verdict("amount", "NONE"),  # TN
    ]
    # when
    scores = {s.name: (s.tp, s.fp, s.fn, s.tn) for s in column_scores(labels, verdicts)}
    f1 = column_f1(labels, verdicts)
    # then
    assert scores == {
        "email": (1, 0, 0, 0),
        "address": (1, 0, 0, 0),
        "notes": (1, 0, 0, 0),
        "phone": (0, 0, 1, 0),
        "ip": (0, 1, 1, 0),
        "id": (0, 1, 0, 0),
        "amount": (0, 0, 0, 1),
    }
    assert f1 == 6 / 10


def test_column_f1_is_one_when_there_is_nothing_to_find():
    # then
    assert column_f1({"id": Expected("NONE")}, [_verdict("id", "NONE")]) == 1.0
