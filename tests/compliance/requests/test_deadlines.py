"""Art. 12(3) deadlines counted as Reg. 1182/71 says: month ends, leap years, extensions, identity pause."""

from datetime import date

import pytest

from compliance.deadlines import (
    add_months,
    due_date,
    due_date_with_identity_pause,
    extended_due_date,
    extension_problems,
    is_overdue,
    next_working_day,
)


@pytest.mark.parametrize(
    ("_case", "received", "due"),
    [
        ("same date next month", date(2025, 3, 15), date(2025, 4, 15)),
        ("31 Jan to the end of February", date(2025, 1, 31), date(2025, 2, 28)),
        ("31 Jan to 29 Feb in a leap year", date(2024, 1, 31), date(2024, 2, 29)),
        ("30 Jan in a leap year", date(2024, 1, 30), date(2024, 2, 29)),
        ("29 Jan in a common year", date(2025, 1, 29), date(2025, 2, 28)),
        ("29 Feb to 29 Mar", date(2024, 2, 29), date(2024, 3, 29)),
        ("28 Feb to 28 Mar, not the month end", date(2025, 2, 28), date(2025, 3, 28)),
        ("31 Mar to 30 Apr", date(2025, 3, 31), date(2025, 4, 30)),
        ("31 May to 30 Jun", date(2025, 5, 31), date(2025, 6, 30)),
        ("30 Apr to 30 May", date(2025, 4, 30), date(2025, 5, 30)),
        ("across the year end", date(2025, 12, 31), date(2026, 1, 31)),
        ("1 Dec to 1 Jan", date(2025, 12, 1), date(2026, 1, 1)),
        ("1900 was not a leap year", date(1900, 1, 31), date(1900, 2, 28)),
        ("2000 was", date(2000, 1, 31), date(2000, 2, 29)),
    ],
)
def test_due_date_is_one_calendar_month_after_receipt(_case, received, due):
    assert due_date(received) == due


@pytest.mark.parametrize(
    ("_case", "received", "months", "due"),
    [
        ("two months more", date(2025, 3, 15), 2, date(2025, 6, 15)),
        ("one month more", date(2025, 3, 15), 1, date(2025, 5, 15)),
        ("clamped once, counted from receipt", date(2024, 1, 31), 2, date(2024, 4, 30)),
        ("31 Jan + 1 month more ends in March", date(2025, 1, 31), 1, date(2025, 3, 31)),
        ("30 Nov to the end of February", date(2023, 11, 30), 2, date(2024, 2, 29)),
        ("across the year end", date(2025, 11, 20), 2, date(2026, 2, 20)),
    ],
)
def test_extended_due_date_counts_one_plus_the_extension_from_receipt(_case, received, months, due):
    assert extended_due_date(received, months=months) == due


@pytest.mark.parametrize("months", [0, 3, -1])
def test_an_extension_is_of_one_or_two_months(months):
    with pytest.raises(ValueError, match="1 to 2 months"):
        extended_due_date(date(2025, 1, 1), months=months)


def test_add_months_refuses_negative_months():
    with pytest.raises(ValueError, match="negative"):
        add_months(date(2025, 1, 1), -1)


def test_rolling_to_a_working_day_is_optional_and_skips_weekends_and_holidays():
    # given: due Saturday 15 Nov 2025; Monday 17 Nov declared a holiday
    received = date(2025, 10, 15)
    # when / then
    assert due_date(received) == date(2025, 11, 15)
    assert due_date(received, roll_to_working_day=True) == date(2025, 11, 17)
    assert due_date(received, roll_to_working_day=True, holidays={date(2025, 11, 17)}) == date(2025, 11, 18)
    assert next_working_day(date(2025, 11, 14)) == date(2025, 11, 14)


def test_extension_allowed_inside_the_first_month_with_a_reason():
    assert (
        extension_problems(
            first_due_on=date(2025, 2, 28),
            months=2,
            reason="Thirty systems to search",
            notified_on=date(2025, 2, 28),
            today=date(2025, 2, 28),
            already_extended=False,
        )
        == {}
    )


@pytest.mark.parametrize(
    ("_case", "kwargs", "fields"),
    [
        ("no reason", {"reason": "  "}, {"reason"}),
        ("three months", {"months": 3}, {"months"}),
        ("zero months", {"months": 0}, {"months"}),
        ("a second extension", {"already_extended": True}, {"months"}),
        ("decided after the first deadline", {"today": date(2025, 3, 1), "notified_on": None}, {"notified_on"}),
        ("subject told after the first deadline", {"notified_on": date(2025, 3, 1)}, {"notified_on"}),
        ("subject told in the future", {"notified_on": date(2025, 2, 20)}, {"notified_on"}),
        ("subject not told", {"notified_on": None}, {"notified_on"}),
    ],
)
def test_extension_refused_with_a_reason_per_field(_case, kwargs, fields):
    # given
    arguments = {
        "first_due_on": date(2025, 2, 28),
        "months": 2,
        "reason": "complex",
        "notified_on": date(2025, 2, 10),
        "today": date(2025, 2, 10),
        "already_extended": False,
    } | kwargs
    # when
    problems = extension_problems(**arguments)
    # then
    assert set(problems) == fields


def test_identity_pause_moves_the_deadline_by_the_days_waited():
    due = date(2025, 2, 28)
    assert due_date_with_identity_pause(
        due,
        identity_requested_on=date(2025, 2, 3),
        identity_confirmed_on=date(2025, 2, 10),
        today=date(2025, 2, 20),
    ) == date(2025, 3, 7)
    assert due_date_with_identity_pause(
        due, identity_requested_on=date(2025, 2, 3), identity_confirmed_on=None, today=date(2025, 2, 5)
    ) == date(2025, 3, 2)
    assert due_date_with_identity_pause(due, identity_requested_on=None, identity_confirmed_on=None, today=due) == due


@pytest.mark.parametrize(
    ("today", "closed", "overdue"),
    [
        (date(2025, 2, 28), False, False),
        (date(2025, 3, 1), False, True),
        (date(2025, 3, 1), True, False),
    ],
)
def test_overdue_after_the_deadline_day_ends_unless_closed(today, closed, overdue):
    assert is_overdue(effective_due_on=date(2025, 2, 28), today=today, closed=closed) is overdue
