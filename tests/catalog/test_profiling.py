"""The streaming quality profile: values on known frames, and merge == single pass."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest

from catalog.profiling import ProfileAccumulator
from catalog.readers import open_source, plan_partitions, read_partition

# The HyperLogLog estimate for the integers 0 … 999,999 (deterministic: the hashes have no random seed).
ESTIMATE_OF_A_MILLION = 990_865


def text_frame(columns: dict[str, list[str | None]]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(values, dtype="str") for name, values in columns.items()})


KNOWN = {
    "id": ["1", "2", "3", "3", None],
    "price": ["1.5", "2", "-0.25", "-0.25", None],
    "active": ["true", "false", "TRUE", "TRUE", None],
    "joined": ["2024-01-05", "2023-12-31", "2024-02-29T10:30:00", "2024-02-29T10:30:00", None],
    "name": ["Ann", "Bob", "Ann", "Ann", None],
    "mixed": ["1", "x", "2024-01-01", "2024-01-01", "true"],
}


def test_profile_of_a_known_text_frame():
    # given
    profile = ProfileAccumulator()
    # when
    profile.update(text_frame(KNOWN))
    result = profile.result()
    # then
    assert result == {
        "rows": 5,
        "duplicate_rows": 1,
        "duplicate_rows_is_estimate": False,
        "columns": {
            "id": {
                "type": "integer",
                "nulls": 1,
                "null_rate": 0.2,
                "distinct": 3,
                "distinct_is_estimate": False,
                "min": 1,
                "max": 3,
            },
            "price": {
                "type": "float",
                "nulls": 1,
                "null_rate": 0.2,
                "distinct": 3,
                "distinct_is_estimate": False,
                "min": -0.25,
                "max": 2,
            },
            "active": {
                "type": "boolean",
                "nulls": 1,
                "null_rate": 0.2,
                "distinct": 3,
                "distinct_is_estimate": False,
                "min": None,
                "max": None,
            },
            "joined": {
                "type": "datetime",
                "nulls": 1,
                "null_rate": 0.2,
                "distinct": 3,
                "distinct_is_estimate": False,
                "min": "2023-12-31T00:00:00",
                "max": "2024-02-29T10:30:00",
            },
            "name": {
                "type": "string",
                "nulls": 1,
                "null_rate": 0.2,
                "distinct": 2,
                "distinct_is_estimate": False,
                "min": None,
                "max": None,
            },
            "mixed": {
                "type": "mixed",
                "nulls": 0,
                "null_rate": 0.0,
                "distinct": 4,
                "distinct_is_estimate": False,
                "min": None,
                "max": None,
            },
        },
    }
    assert json.loads(json.dumps(result)) == result


def test_dates_only_and_time_zones():
    # given
    profile = ProfileAccumulator()
    frame = text_frame(
        {
            "day": ["2024-03-01", "2024-01-15", None],
            "stamp": ["2024-03-01T12:00:00+02:00", "2024-03-01T09:00:00Z", "2024-03-01 08:30:00"],
        }
    )
    # when
    profile.update(frame)
    columns = profile.result()["columns"]
    # then
    assert (columns["day"]["type"], columns["day"]["min"], columns["day"]["max"]) == (
        "datetime",
        "2024-01-15",
        "2024-03-01",
    )
    assert (columns["stamp"]["min"], columns["stamp"]["max"]) == (
        "2024-03-01T08:30:00+00:00",
        "2024-03-01T10:00:00+00:00",
    )


def test_text_classification_edge_cases():
    # given
    profile = ProfileAccumulator()
    frame = text_frame(
        {
            "zip": ["02134", "00501", "+7", "-3"],
            "long_id": ["1234567890123456789", "1234567890123456780", None, None],
            "phone": ["+1-555-0100", "+1-555-0199", None, None],
            "ip": ["10.0.0.1", "10.0.0.2", None, None],
            "version": ["1.5", "not a number", "inf", "1e999"],
            "bad_date": ["2024-13-45", "2024-01-01", None, None],
        }
    )
    # when
    profile.update(frame)
    columns = profile.result()["columns"]
    # then
    assert {name: column["type"] for name, column in columns.items()} == {
        "zip": "integer",
        "long_id": "string",
        "phone": "string",
        "ip": "string",
        "version": "mixed",
        "bad_date": "mixed",
    }
    assert (columns["zip"]["min"], columns["zip"]["max"], columns["zip"]["distinct"]) == (-3, 2134, 4)


def test_typed_columns_take_their_kind_from_the_dtype():
    # given
    profile = ProfileAccumulator(infer_text_types=False)
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 3], dtype="Int64"),
            "f": [0.5, np.nan, 1.0, -2.5],
            "b": pd.array([True, False, None, True], dtype="boolean"),
            "t": pd.to_datetime(["2024-01-01 10:00", None, "2023-06-30 08:00", "2024-01-01 10:00"]),
            "tz": pd.to_datetime(["2024-01-01T10:00:00+01:00", None, None, None], utc=True),
            "s": pd.Series(["1", "2", None, "2"], dtype="str"),
            "empty": pd.Series([None, None, None, None], dtype=object),
        }
    )
    # when
    profile.update(frame)
    columns = profile.result()["columns"]
    # then
    assert {name: (c["type"], c["nulls"], c["distinct"], c["min"], c["max"]) for name, c in columns.items()} == {
        "n": ("integer", 1, 2, 1, 3),
        "f": ("float", 1, 3, -2.5, 1.0),
        "b": ("boolean", 1, 2, None, None),
        "t": ("datetime", 1, 2, "2023-06-30T08:00:00", "2024-01-01T10:00:00"),
        "tz": ("datetime", 3, 1, "2024-01-01T09:00:00+00:00", "2024-01-01T09:00:00+00:00"),
        "s": ("string", 1, 2, None, None),
        "empty": ("string", 4, 0, None, None),
    }


def test_object_columns_with_python_values():
    # given: what JSON records with inconsistent types look like
    profile = ProfileAccumulator(infer_text_types=False)
    frame = pd.DataFrame(
        {
            "ids": pd.Series([1, "2", 3.0, None, True], dtype=object),
            "amounts": pd.Series([1, 2.5, None, 4, 1.0], dtype=object),
        }
    )
    # when
    profile.update(frame)
    columns = profile.result()["columns"]
    # then
    # 1, "2", 3.0 and True: an integer, a text, a float equal to an integer, a boolean; four values
    assert (columns["ids"]["type"], columns["ids"]["distinct"], columns["ids"]["nulls"]) == ("mixed", 4, 1)
    assert {key: columns["amounts"][key] for key in ("type", "distinct", "min", "max")} == {
        "type": "float",
        "distinct": 3,
        "min": 1,
        "max": 4,
    }


def test_typed_number_compares_by_value_across_chunk_dtypes():
    # given: a JSON column read as Int64 in one chunk and float64 in the next
    profile = ProfileAccumulator()
    # when
    profile.update(pd.DataFrame({"n": pd.array([1, 2, None], dtype="Int64")}))
    profile.update(pd.DataFrame({"n": [1.0, 2.5]}))
    column = profile.result()["columns"]["n"]
    # then
    assert (column["type"], column["distinct"], column["nulls"]) == ("float", 3, 1)


def test_columns_missing_from_a_chunk_count_as_nulls():
    # given
    profile = ProfileAccumulator()
    # when
    profile.update(text_frame({"a": ["1", "2"]}))
    profile.update(text_frame({"a": ["1", "2"], "b": ["x", "y"]}))
    result = profile.result()
    # then
    assert result["rows"] == 4
    assert result["duplicate_rows"] == 0
    assert (result["columns"]["b"]["nulls"], result["columns"]["b"]["null_rate"]) == (2, 0.5)


def random_frame(rows: int, *, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    return text_frame(
        {
            "id": [str(rng.randrange(rows // 2)) for _ in range(rows)],
            "score": [None if rng.random() < 0.1 else f"{rng.random():.3f}" for _ in range(rows)],
            "city": [rng.choice(["Paris", "Lyon", "Nice", None]) for _ in range(rows)],
            "day": [f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" for _ in range(rows)],
            "flag": [rng.choice(["true", "false", "maybe"]) for _ in range(rows)],
        }
    )


def chunks_of(frame: pd.DataFrame, sizes: list[int]) -> list[pd.DataFrame]:
    bounds = np.cumsum([0, *sizes])
    return [frame.iloc[a:b].reset_index(drop=True) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


@pytest.mark.parametrize(
    ("_case", "options"),
    [
        ("below the caps: exact", {}),
        ("above the caps: HyperLogLog", {"distinct_cap": 50, "row_cap": 300}),
    ],
)
def test_merged_partitions_equal_a_single_pass(_case, options):
    # given
    frame = random_frame(4_000, seed=11)
    single = ProfileAccumulator(**options)
    for chunk in chunks_of(frame, [1_000, 1_000, 1_000, 1_000]):
        single.update(chunk)
    partials = []
    for partition in chunks_of(frame, [700, 1_900, 1_400]):
        partial = ProfileAccumulator(**options)
        for chunk in chunks_of(partition, [300] * (len(partition) // 300) + [len(partition) % 300]):
            partial.update(chunk)
        partials.append(ProfileAccumulator.from_state(json.loads(json.dumps(partial.to_state()))))
    # when
    merged = partials[0]
    for partial in partials[1:]:
        merged.merge(partial)
    # then
    assert merged.result() == single.result()
    assert merged.to_state() == single.to_state()


def test_estimates_past_the_caps_are_flagged():
    # given
    frame = random_frame(4_000, seed=11)
    profile = ProfileAccumulator(distinct_cap=50, row_cap=300)
    # when
    profile.update(frame)
    result = profile.result()
    # then
    assert result["duplicate_rows_is_estimate"] is True
    assert {name: c["distinct_is_estimate"] for name, c in result["columns"].items()} == {
        "id": True,
        "score": True,
        "city": False,
        "day": True,
        "flag": False,
    }
    assert (result["columns"]["city"]["distinct"], result["columns"]["flag"]["distinct"]) == (3, 3)


def test_hyperloglog_estimate_on_a_million_distinct_values():
    # given
    profile = ProfileAccumulator(distinct_cap=1_000)
    # when
    profile.update(pd.DataFrame({"n": np.arange(1_000_000)}))
    column = profile.result()["columns"]["n"]
    # then: deterministic hashes give a deterministic estimate, here 0.9 % below the truth (standard error 0.8 %)
    assert column["distinct_is_estimate"] is True
    assert column["distinct"] == ESTIMATE_OF_A_MILLION


def test_state_is_json_and_round_trips():
    # given
    profile = ProfileAccumulator()
    profile.update(text_frame(KNOWN))
    # when
    state = json.loads(json.dumps(profile.to_state()))
    restored = ProfileAccumulator.from_state(state)
    # then
    assert restored.result() == profile.result()


def test_merging_profiles_with_different_parameters_is_refused():
    # given
    exact = ProfileAccumulator()
    typed = ProfileAccumulator(infer_text_types=False)
    # when
    with pytest.raises(ValueError) as raised:
        exact.merge(typed)
    # then
    assert str(raised.value) == "cannot merge profiles built with different parameters"


def test_csv_partitions_profiled_and_merged_equal_the_single_pass(tmp_path):
    # given
    frame = random_frame(6_000, seed=3)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    with open_source(str(path), chunk_rows=1_000) as reader:
        single = ProfileAccumulator(infer_text_types=reader.values_are_text)
        for chunk in reader.iter_chunks():
            single.update(chunk)
    descriptors = plan_partitions(str(path), target_rows=1_500)
    # when
    merged = ProfileAccumulator()
    for descriptor in descriptors:
        partial = ProfileAccumulator()
        for chunk in read_partition(descriptor, chunk_rows=400):
            partial.update(chunk)
        merged.merge(ProfileAccumulator.from_state(partial.to_state()))
    # then
    assert len(descriptors) == 4
    assert merged.result() == single.result()
    assert single.result()["rows"] == 6_000


def test_exact_counts_agree_with_pandas():
    # given
    frame = random_frame(5_000, seed=5)
    frame = pd.concat([frame, frame.iloc[:250]], ignore_index=True)  # 250 repeated rows on top of chance repeats
    profile = ProfileAccumulator()
    # when
    for chunk in chunks_of(frame, [1_250] * 4 + [250]):
        profile.update(chunk)
    result = profile.result()
    # then
    assert result["duplicate_rows"] == int(frame.duplicated().sum())
    assert {name: c["distinct"] for name, c in result["columns"].items()} == frame.nunique().to_dict()
    assert {name: c["nulls"] for name, c in result["columns"].items()} == frame.isna().sum().to_dict()


def test_repetitive_columns_give_the_same_profile_through_their_dictionary():
    # given: 10,000 rows over few distinct values; one big chunk takes the dictionary path, small ones do not
    rng = random.Random(9)
    pool = [
        "1",
        "-2",
        "3.5",
        "1e3",
        "true",
        "FALSE",
        "2024-02-29",
        "2024-02-30",
        "2024-01-01T10:00:00+01:00",
        "x",
        None,
    ]
    frame = text_frame({"value": [rng.choice(pool) for _ in range(10_000)], "n": [str(i % 50) for i in range(10_000)]})
    whole, pieces = ProfileAccumulator(), ProfileAccumulator()
    # when
    whole.update(frame)
    for chunk in chunks_of(frame, [1_000] * 10):
        pieces.update(chunk)
    # then
    assert whole.result() == pieces.result()
    nulls = int(frame["value"].isna().sum())
    assert whole.result()["columns"]["value"] == {
        "type": "mixed",
        "nulls": nulls,
        "null_rate": nulls / 10_000,
        "distinct": 10,
        "distinct_is_estimate": False,
        "min": None,
        "max": None,
    }
