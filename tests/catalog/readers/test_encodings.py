"""Encoding detection for text sources."""

from __future__ import annotations

import pytest

from catalog.readers import open_source
from tests.catalog.readers.helpers import read_all

TEXT = "name,city\nMüller,Köln\nZoë,Besançon\nÅsa,Malmö\n"
EXPECTED = [
    {"name": "Müller", "city": "Köln"},
    {"name": "Zoë", "city": "Besançon"},
    {"name": "Åsa", "city": "Malmö"},
]


@pytest.mark.parametrize(
    ("_case", "encoding", "detected"),
    [
        ("utf-8", "utf-8", "utf_8"),
        ("utf-8 with BOM", "utf-8-sig", "utf_8"),
        ("utf-16 with BOM", "utf-16", "utf_16_le"),
        ("utf-16 big endian without BOM", "utf-16-be", "utf_16_be"),
        ("utf-16 little endian without BOM", "utf-16-le", "utf_16_le"),
        ("latin-1", "latin-1", "cp1252"),
    ],
)
def test_csv_encoding_is_detected(write, _case, encoding, detected):
    # given
    path = write("people.csv", TEXT, encoding=encoding)
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
        found = reader.encoding.codec
    # then
    assert found == detected
    assert rows == EXPECTED


def test_cyrillic_windows_code_page_is_detected(write):
    # given
    path = write("people.csv", "имя,город\nИван,Москва\nОльга,Санкт-Петербург\n", encoding="cp1251")
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
    # then
    assert rows == [{"имя": "Иван", "город": "Москва"}, {"имя": "Ольга", "город": "Санкт-Петербург"}]


@pytest.mark.parametrize(("name", "encoding"), [("people.jsonl", "utf-16"), ("people.json", "utf-8-sig")])
def test_json_formats_are_decoded_too(write, name, encoding):
    # given
    content = '{"name": "Zoë"}\n' if name.endswith(".jsonl") else '[{"name": "Zoë"}]'
    path = write(name, content, encoding=encoding)
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
    # then
    assert rows == [{"name": "Zoë"}]


def test_latin1_jsonl(write):
    # given
    path = write(
        "people.jsonl", '{"name": "Müller", "city": "Köln"}\n{"name": "Zoë", "city": "Besançon"}\n', encoding="latin-1"
    )
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
    # then
    assert rows == [{"name": "Müller", "city": "Köln"}, {"name": "Zoë", "city": "Besançon"}]
