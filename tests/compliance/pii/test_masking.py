"""mask_value: masked examples show a finding's shape, never its value."""

import pytest

from compliance.pii.masking import mask_value


@pytest.mark.parametrize(
    ("entity_type", "text", "expected"),
    [
        ("EMAIL_ADDRESS", "john.doe@example.com", "j***@e***.com"),
        ("EMAIL_ADDRESS", "Ana@mail.example.co.uk", "A***@m***.uk"),
        ("US_SSN", "123-45-6789", "***-**-6789"),
        ("UK_NINO", "AB 12 34 56 C", "** ** ** 56 C"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "**** **** **** 1111"),
        ("PHONE_NUMBER", "+44 20 7946 0958", "+** ** **** *958"),
        ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32", "GB****************5432"),
        ("IP_ADDRESS", "192.168.1.20", "192.***.***.***"),
        ("IP_ADDRESS", "2001:db8::1", "2001:****:..."),
        ("PERSON", "Jean-Luc Picard", "J. P."),
        ("PERSON", "dr. maría lópez", "D. M. L."),
        ("DATE_OF_BIRTH", "12 March 1984", "** ***** ****"),
        ("STREET_ADDRESS", "221B Baker Street, London NW1 6XE", "#### B*** S***, L*** ### ###"),
        ("LOCATION", "Berlin", "B***"),
        ("NRP", "French", "F***"),
        ("PERSON", "   ", ""),
    ],
)
def test_mask_value(entity_type, text, expected):
    # when
    masked = mask_value(entity_type, text)
    # then
    assert masked == expected
