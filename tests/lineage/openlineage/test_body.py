import gzip
import json
import zlib

import pytest

from lineage.openlineage.body import BodyError, decode_body

EVENT = {"eventTime": "2026-11-28T10:00:00Z", "eventType": "START", "schemaURL": "ünïcode ✓"}
EVENT_BYTES = json.dumps(EVENT, ensure_ascii=False).encode("utf-8")


def test_plain_json_is_decoded():
    # given
    raw = EVENT_BYTES
    # when
    payload = decode_body(raw, content_encoding=None, max_bytes=10_000)
    # then
    assert payload == EVENT


def test_gzip_is_inflated_when_the_header_says_so():
    # given
    raw = gzip.compress(EVENT_BYTES, compresslevel=3)  # what the Python client sends
    # when
    payload = decode_body(raw, content_encoding="gzip", max_bytes=10_000)
    # then
    assert payload == EVENT


def test_gzip_is_inflated_by_its_magic_bytes_without_a_header():
    # given: the Java client before OpenLineage PR #4282 sends no Content-Encoding
    raw = gzip.compress(EVENT_BYTES)
    assert raw[:2] == b"\x1f\x8b"
    # when
    payload = decode_body(raw, content_encoding=None, max_bytes=10_000)
    # then
    assert payload == EVENT


@pytest.mark.parametrize("header", ["x-gzip", "GZIP", "identity", "gzip, identity"])
def test_gzip_header_variants_are_understood(header):
    # given
    raw = gzip.compress(EVENT_BYTES)
    # when
    payload = decode_body(raw, content_encoding=header, max_bytes=10_000)
    # then
    assert payload == EVENT


def test_gzip_header_over_an_already_inflated_json_body_is_tolerated():
    # given: a proxy inflated the body but kept the header
    raw = b"  " + EVENT_BYTES
    # when
    payload = decode_body(raw, content_encoding="gzip", max_bytes=10_000)
    # then
    assert payload == EVENT


def test_multi_member_gzip_is_inflated_whole():
    # given
    half = len(EVENT_BYTES) // 2
    raw = gzip.compress(EVENT_BYTES[:half]) + gzip.compress(EVENT_BYTES[half:])
    # when
    payload = decode_body(raw, content_encoding="gzip", max_bytes=10_000)
    # then
    assert payload == EVENT


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_is_inflated_when_the_header_says_so(wbits):
    # given
    compressor = zlib.compressobj(wbits=wbits)
    raw = compressor.compress(EVENT_BYTES) + compressor.flush()
    # when
    payload = decode_body(raw, content_encoding="deflate", max_bytes=10_000)
    # then
    assert payload == EVENT


def test_gzip_bomb_is_stopped_at_the_decompressed_cap():
    # given: 50 MB of spaces inside a JSON array, about 50 KB compressed
    raw = gzip.compress(b"[" + b" " * 50_000_000 + b"]", compresslevel=9)
    assert len(raw) < 100_000
    # when
    with pytest.raises(BodyError) as caught:
        decode_body(raw, content_encoding="gzip", max_bytes=1_000_000)
    # then
    assert caught.value.status == 413
    assert caught.value.reason == "decompressed body exceeds 1000000 bytes"


def test_decompressed_body_exactly_at_the_cap_is_accepted():
    # given
    body = b"[" + b" " * 998 + b"]"
    # when
    payload = decode_body(gzip.compress(body), content_encoding="gzip", max_bytes=1_000)
    # then
    assert payload == []


def test_plain_body_over_the_cap_is_413():
    # given
    raw = b"[" + b" " * 2_000 + b"]"
    # when
    with pytest.raises(BodyError) as caught:
        decode_body(raw, content_encoding=None, max_bytes=1_000)
    # then
    assert (caught.value.status, caught.value.reason) == (413, "request body exceeds 1000 bytes")


@pytest.mark.parametrize(
    ("_case", "raw", "encoding", "reason"),
    [
        ("junk", b"not json at all", None, "body is not valid JSON: Expecting value (line 1, column 1)"),
        (
            "junk under a gzip header",
            b"not gzip",
            "gzip",
            "invalid gzip data: Error -3 while decompressing data: incorrect header check",
        ),
        ("truncated gzip", gzip.compress(EVENT_BYTES)[:-12], "gzip", "truncated gzip data"),
        ("garbage after gzip", gzip.compress(EVENT_BYTES) + b"garbage", None, "unexpected bytes after the gzip stream"),
        ("not utf-8", b'{"name": "\xff"}', None, "body is not valid UTF-8 (byte 10)"),
        ("NaN", b'{"rowCount": NaN}', None, "body is not valid JSON: NaN is not valid JSON"),
        ("empty", b"", None, "empty request body"),
        ("whitespace", b" \n ", None, "empty request body"),
        ("too deep", b"[" * 200_000 + b"]" * 200_000, None, "body is not valid JSON: nested too deeply"),
        ("truncated json", b'{"eventTime": ', None, "body is not valid JSON: Expecting value (line 1, column 15)"),
    ],
)
def test_undecodable_bodies_are_400(_case, raw, encoding, reason):
    # when
    with pytest.raises(BodyError) as caught:
        decode_body(raw, content_encoding=encoding, max_bytes=10_000_000)
    # then
    assert caught.value.status == 400
    assert caught.value.reason == reason


def test_unknown_content_encoding_is_415():
    # when
    with pytest.raises(BodyError) as caught:
        decode_body(EVENT_BYTES, content_encoding="br", max_bytes=10_000)
    # then
    assert (caught.value.status, caught.value.reason) == (
        415,
        "unsupported Content-Encoding 'br'; use gzip or identity",
    )


def test_utf8_byte_order_mark_is_ignored():
    # when
    payload = decode_body(b"\xef\xbb\xbf" + EVENT_BYTES, content_encoding=None, max_bytes=10_000)
    # then
    assert payload == EVENT


def test_a_json_array_is_returned_as_a_list():
    # when
    payload = decode_body(b"[{}, {}]", content_encoding=None, max_bytes=100)
    # then
    assert payload == [{}, {}]


def test_max_bytes_must_be_positive():
    # when / then
    with pytest.raises(ValueError, match="max_bytes must be positive"):
        decode_body(b"{}", content_encoding=None, max_bytes=0)
