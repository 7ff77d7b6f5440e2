"""ColumnSampler: normalisation, bottom-k determinism across chunking and workers, JSON state, bounded memory."""

import json

import numpy as np
import pandas as pd
import pytest

from compliance.pii.classifier import FREE_TEXT_SAMPLE_SIZE, ColumnSample, ColumnSampler


def _frame(n: int, *, offset: int = 0) -> pd.DataFrame:
    ids = np.arange(offset, offset + n)
    return pd.DataFrame(
        {
            "email": [f"user{i}@example.com" for i in ids],
            "amount": ids * 1.5,
            "flag": ids % 2 == 0,
            "seen": pd.to_datetime("2024-01-01") + pd.to_timedelta(ids, unit="min"),
        }
    )


def test_normalisation_drops_nulls_and_null_tokens_strips_and_deduplicates():
    # given
    df = pd.DataFrame({"note": [" a ", None, "NaN", "null", "", "  ", "<NA>", "None", "NaT", "b", "a", np.nan]})
    sampler = ColumnSampler()
    # when
    sampler.update(df)
    # then
    assert sorted(sampler.samples()["note"].values) == ["a", "b"]


def test_normalisation_renders_each_dtype_kind():
    # given
    df = pd.DataFrame(
        {
            "id": [1.0, 2.0, np.nan, 2.5],
            "count": pd.array([3, None, 4, 3], dtype="Int64"),
            "active": [True, False, True, True],
            "at": pd.to_datetime(["2024-01-02 03:04:05", None, "2024-01-02 03:04:05", "1999-12-31 00:00:00"]),
            "mixed": [pd.Timestamp("2020-05-06 07:08:09"), 12, "x", None],
        }
    )
    sampler = ColumnSampler()
    # when
    sampler.update(df)
    samples = sampler.samples()
    # then
    assert {name: (s.kind, sorted(s.values)) for name, s in samples.items()} == {
        "id": ("numeric", ["1", "2", "2.5"]),
        "count": ("numeric", ["3", "4"]),
        "active": ("bool", ["False", "True"]),
        "at": ("datetime", ["1999-12-31 00:00:00", "2024-01-02 03:04:05"]),
        "mixed": ("text", ["12", "2020-05-06 07:08:09", "x"]),
    }


def test_values_are_truncated_to_2000_characters():
    # given
    df = pd.DataFrame({"blob": ["x" * 5_000]})
    sampler = ColumnSampler()
    # when
    sampler.update(df)
    # then
    assert [len(v) for v in sampler.samples()["blob"].values] == [2_000]


def test_sample_is_the_k_smallest_stable_hashes_of_the_distinct_values():
    # given
    df = _frame(3_000)
    sampler = ColumnSampler(k=50)
    # when
    sampler.update(df)
    # then
    values = np.array([f"user{i}@example.com" for i in range(3_000)], dtype=object)
    order = np.argsort(pd.util.hash_array(values, categorize=False), kind="stable")
    assert list(sampler.samples()["email"].values) == list(values[order[:50]])


def test_chunk_order_and_partitioning_do_not_change_the_sample():
    # given
    df = _frame(6_000)
    whole = ColumnSampler()
    whole.update(df)
    reversed_chunks = ColumnSampler()
    for start in range(5_400, -1, -600):
        reversed_chunks.update(df.iloc[start : start + 600])
    left, right = ColumnSampler(), ColumnSampler()
    left.update(df.iloc[3_100:])
    right.update(df.iloc[:3_100])
    right.update(df.iloc[:100])  # a duplicate chunk changes nothing either
    # when
    merged = left.merge(right)
    # then
    assert reversed_chunks.samples() == whole.samples()
    assert merged.samples() == whole.samples()
    assert len(whole.samples()["email"].values) == FREE_TEXT_SAMPLE_SIZE


def test_state_round_trips_through_json():
    # given
    sampler = ColumnSampler()
    sampler.update(_frame(1_200))
    # when
    restored = ColumnSampler.from_state(json.loads(json.dumps(sampler.to_state())))
    # then
    assert restored.samples() == sampler.samples()
    assert restored.to_state() == sampler.to_state()


def test_restored_workers_merge_like_one_sampler():
    # given
    df = _frame(4_000)
    worker_a, worker_b, single = ColumnSampler(), ColumnSampler(), ColumnSampler()
    worker_a.update(df.iloc[:1_000])
    worker_b.update(df.iloc[1_000:])
    single.update(df)
    # when
    merged = ColumnSampler.from_state(json.dumps(worker_a.to_state())).merge(
        ColumnSampler.from_state(worker_b.to_state())
    )
    # then
    assert merged.samples() == single.samples()


def test_memory_is_bounded_by_k_per_column():
    # given
    sampler = ColumnSampler(k=100)
    # when
    for start in range(0, 20_000, 2_500):
        sampler.update(_frame(2_500, offset=start))
    # then
    assert {name: len(s.values) for name, s in sampler.samples().items()} == {
        "email": 100,
        "amount": 100,
        "flag": 2,
        "seen": 100,
    }


def test_kind_conflicts_become_text_and_all_null_chunks_are_neutral():
    # given
    sampler = ColumnSampler()
    # when
    sampler.update(pd.DataFrame({"code": [1, 2], "when": pd.to_datetime(["2024-01-01", "2024-01-02"])}))
    sampler.update(pd.DataFrame({"code": ["A-1", "B-2"], "when": [np.nan, np.nan]}))
    # then
    samples = sampler.samples()
    assert (samples["code"].kind, samples["when"].kind) == ("text", "datetime")
    assert sorted(samples["code"].values) == ["1", "2", "A-1", "B-2"]


def test_merge_rejects_a_different_k():
    # when / then
    with pytest.raises(ValueError, match="different k"):
        ColumnSampler(k=10).merge(ColumnSampler(k=20))


def test_column_sample_values_are_an_immutable_tuple():
    # when
    sample = ColumnSample(name="x", kind="text", values=["a", "b"])
    # then
    assert sample.values == ("a", "b")


def test_repeated_values_in_a_large_chunk_fill_the_sample_with_distinct_values():
    # given: 40,000 rows, 20,000 distinct values twice each; the first 10,000 rows are all distinct
    values = [f"code-{i:05d}" for i in range(20_000)] * 2
    sampler = ColumnSampler(k=200)
    # when
    sampler.update(pd.DataFrame({"code": pd.Series(values, dtype="str")}))
    # then
    sample = sampler.samples()["code"].values
    assert len(sample) == 200
    assert len(set(sample)) == 200
