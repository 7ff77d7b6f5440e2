"""compliance.identifiers: one normalisation and digest for the subject-key index and subject requests."""

import hashlib
import hmac
import random

import phonenumbers
import pytest

from compliance.identifiers import (
    IdentifierKind,
    identifier_kind_for_entity,
    mask_identifier,
    normalise_identifier,
    subject_digest,
    subject_digests,
)

KEY = b"test-subject-key-0123456789abcdef"


@pytest.mark.parametrize(
    ("_case", "kind", "value", "expected"),
    [
        ("email trimmed and lower-cased", "email", "  John.Doe@Example.COM\t", "john.doe@example.com"),
        ("US phone national notation", "phone", "(415) 555-0132", "+14155550132"),
        ("US phone with country code", "phone", "+1 415.555.0132", "+14155550132"),
        ("US phone leading trunk 1", "phone", "1-415-555-0132", "+14155550132"),
        ("extension dropped", "phone", "415-555-0132 x1234", "+14155550132"),
        ("UK phone international", "phone", "+44 (0)20 7946 0958", "+442079460958"),
        ("unparseable phone keeps digits", "phone", "call 12", "12"),
        ("SSN separators removed", "national_id", "123-45-6789", "123456789"),
        ("NINO spaces removed, upper-cased", "national_id", "ab 12 34 56 c", "AB123456C"),
        ("customer id dots removed", "customer_id", "cus.0042-x", "CUS0042X"),
        ("IBAN print form", "iban", "gb82 west 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("card with dashes", "credit_card", "4111-1111-1111-1111", "4111111111111111"),
    ],
)
def test_normalise_identifier(_case, kind, value, expected):
    # when
    normalised = normalise_identifier(kind, value)
    # then
    assert normalised == expected


def test_normalise_identifier_reads_national_phones_in_the_default_region():
    # when
    uk = normalise_identifier(IdentifierKind.PHONE, "020 7946 0958", default_region="GB")
    de = normalise_identifier(IdentifierKind.PHONE, "030 1234567", default_region="de")
    # then
    assert uk == "+442079460958"
    assert de == "+49301234567"


@pytest.mark.parametrize(
    ("kind", "variants"),
    [
        ("email", ["jane.roe@example.org", " Jane.Roe@Example.org ", "JANE.ROE@EXAMPLE.ORG"]),
        ("phone", ["(212) 555-0199", "212-555-0199", "+1 212 555 0199", "212.555.0199", "12125550199"]),
        ("national_id", ["123-45-6789", "123 45 6789", "123456789", "123.45.6789"]),
        ("iban", ["GB82WEST12345698765432", "gb82 west 1234 5698 7654 32"]),
    ],
)
def test_formatting_variants_share_one_digest(kind, variants):
    # when
    digests = {subject_digest(kind, variant, key=KEY) for variant in variants}
    # then
    assert len(digests) == 1


def test_subject_digest_is_hmac_sha256_of_kind_and_normalised_value():
    # when
    digest = subject_digest("email", " Jane.Roe@Example.org", key=KEY)
    # then
    assert digest == hmac.new(KEY, b"email:jane.roe@example.org", hashlib.sha256).hexdigest()
    assert len(digest) == 64


def test_different_identifiers_kinds_and_keys_give_different_digests():
    # given
    base = subject_digest("email", "jane.roe@example.org", key=KEY)
    # when
    other_email = subject_digest("email", "jane.roe2@example.org", key=KEY)
    other_kind = subject_digest("customer_id", "jane.roe@example.org", key=KEY)
    other_key = subject_digest("email", "jane.roe@example.org", key=b"another-key")
    # then
    assert len({base, other_email, other_kind, other_key}) == 4


def test_subject_digests_matches_one_by_one_digests_in_order():
    # given
    values = ["a@x.org", "B@X.org", "a@x.org", " c@y.net "]
    # when
    digests = subject_digests("email", values, key=KEY)
    # then
    assert digests == [subject_digest("email", v, key=KEY) for v in values]
    assert digests[0] == digests[2]
    assert len(set(digests)) == 3


@pytest.mark.parametrize("key", [b"k", KEY, b"x" * 64, b"long key " * 20])
def test_subject_digests_equal_the_standard_library_hmac_for_any_key_length(key):
    # given
    values = ["123-45-6789", "AB 12 34 56 C"]
    # when
    digests = subject_digests("national_id", values, key=key)
    # then
    assert digests == [
        hmac.new(key, b"national_id:123456789", hashlib.sha256).hexdigest(),
        hmac.new(key, b"national_id:AB123456C", hashlib.sha256).hexdigest(),
    ]


def test_subject_digests_names_the_position_of_an_empty_value():
    # when / then
    with pytest.raises(ValueError, match="position 1"):
        subject_digests("national_id", ["123-45-6789", " - "], key=KEY)


def test_subject_digests_can_skip_values_that_normalise_to_nothing():
    # when
    digests = subject_digests("phone", ["n/a", "(212) 555-0199", "n/a", " "], key=KEY, skip_empty=True)
    # then
    assert digests == [subject_digest("phone", "+12125550199", key=KEY)]


@pytest.mark.parametrize(
    ("_case", "call"),
    [
        ("unknown kind", lambda: subject_digest("passport", "X1", key=KEY)),
        ("empty key", lambda: subject_digest("email", "a@x.org", key=b"")),
        ("blank email", lambda: normalise_identifier("email", "   ")),
    ],
)
def test_invalid_input_raises_value_error(_case, call):
    # when / then
    with pytest.raises(ValueError):
        call()


def test_north_american_fast_path_agrees_with_phonenumbers():
    # given: random ten-digit numbers in the national layouts the fast path accepts
    rng = random.Random(7)
    layouts = ["{a}-{b}-{c}", "({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "1{a}{b}{c}", "{a}{b}{c}"]
    values = []
    for _ in range(3_000):
        digits = str(rng.randint(2, 9)) + "".join(rng.choice("0123456789") for _ in range(9))
        values.append(rng.choice(layouts).format(a=digits[:3], b=digits[3:6], c=digits[6:]))
    # when
    fast = [normalise_identifier("phone", value) for value in values]
    # then
    slow = [
        phonenumbers.format_number(phonenumbers.parse(value, "US"), phonenumbers.PhoneNumberFormat.E164)
        for value in values
    ]
    assert fast == slow


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("email", " John.Doe@Example.com ", "j***@example.com"),
        ("phone", "+44 7700 900123", "+44*******123"),
        ("phone", "(415) 555-0132", "+1*******132"),
        ("credit_card", "4111 1111 1111 1111", "************1111"),
        ("iban", "GB82 WEST 1234 5698 7654 32", "GB****************5432"),
        ("national_id", "123-45-6789", "******789"),
        ("customer_id", "CUS-000042", "******042"),
    ],
)
def test_mask_identifier(kind, value, expected):
    # when
    masked = mask_identifier(kind, value)
    # then
    assert masked == expected


@pytest.mark.parametrize(
    ("entity_type", "expected"),
    [
        ("EMAIL_ADDRESS", IdentifierKind.EMAIL),
        ("PHONE_NUMBER", IdentifierKind.PHONE),
        ("US_SSN", IdentifierKind.NATIONAL_ID),
        ("UK_NINO", IdentifierKind.NATIONAL_ID),
        ("IBAN_CODE", IdentifierKind.IBAN),
        ("CREDIT_CARD", IdentifierKind.CREDIT_CARD),
        ("PERSON", None),
        ("STREET_ADDRESS", None),
        ("IP_ADDRESS", None),
    ],
)
def test_identifier_kind_for_entity(entity_type, expected):
    # when
    kind = identifier_kind_for_entity(entity_type)
    # then
    assert kind == expected


def test_identifiers_module_does_not_load_presidio():
    # given
    import subprocess
    import sys

    code = "import sys, compliance.identifiers; print('presidio_analyzer' in sys.modules, 'spacy' in sys.modules)"
    # when
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # then
    assert result.stdout.strip() == "False False"
