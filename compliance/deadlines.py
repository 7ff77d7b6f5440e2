"""
Deadline arithmetic for data-subject requests (GDPR Art. 12(3)), counted as Regulation (EEC, Euratom) 1182/71 says.

- A period in months starts the day after the event (the day of receipt is not counted) and ends when the day of
  the last month with the same date as the event ends: received 15 March → due 15 April.
- When that date does not exist in the last month, the period ends with the last day of that month: received
  31 January → due 28 February (29 in a leap year); received 31 March → due 30 April.
- Art. 12(3): one further extension of up to two months, the subject informed with reasons within the first
  month. The extended period is counted from receipt (one month plus the extension), so the month-end clamp is
  applied once: received 31 January 2024, extended by two months → due 30 April 2024 (not 29 April).
- Art. 3(4) of 1182/71 moves a period ending on a Saturday, Sunday or public holiday to the next working day. That
  reading is optional here (``roll_to_working_day``): the default keeps the earlier, safer date.
- One supervisory authority pauses the clock while the controller waits for proof of identity; the paused reading
  is :func:`due_date_with_identity_pause`, shown beside the plain one, never replacing it.

Pure functions of dates: no database, no settings.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date, timedelta

__all__ = (
    "MAX_EXTENSION_MONTHS",
    "add_months",
    "due_date",
    "due_date_with_identity_pause",
    "extended_due_date",
    "extension_problems",
    "is_overdue",
    "next_working_day",
)

MAX_EXTENSION_MONTHS = 2


def add_months(start: date, months: int) -> date:
    """The same date ``months`` calendar months after ``start``, clamped to the end of a shorter month."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_working_day(day: date, *, holidays: Collection[date] = ()) -> date:
    """``day`` itself when it is a working day, else the first following day that is neither weekend nor holiday."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def due_date(received_on: date, *, roll_to_working_day: bool = False, holidays: Collection[date] = ()) -> date:
    """The Art. 12(3) deadline: one calendar month after receipt (see the module docstring for the rules)."""
    due = add_months(received_on, 1)
    return next_working_day(due, holidays=holidays) if roll_to_working_day else due


def extended_due_date(
    received_on: date, *, months: int, roll_to_working_day: bool = False, holidays: Collection[date] = ()
) -> date:
    """The deadline after an extension of ``months`` (1 or 2): ``1 + months`` calendar months after receipt."""
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is of 1 to {MAX_EXTENSION_MONTHS} months")
    due = add_months(received_on, 1 + months)
    return next_working_day(due, holidays=holidays) if roll_to_working_day else due


def extension_problems(
    *,
    first_due_on: date,
    months: int,
    reason: str,
    notified_on: date | None,
    today: date,
    already_extended: bool,
) -> dict[str, str]:
    """
    Why an extension may not be recorded, by field (empty when it may): a second extension, more than two months,
    no reason, no day on which the subject was told, or recording it (or telling the subject) after the first
    deadline has passed.
    """
    problems: dict[str, str] = {}
    if already_extended:
        problems["months"] = "The deadline has already been extended once; Art. 12(3) allows one extension."
    elif not isinstance(months, int) or not 1 <= months <= MAX_EXTENSION_MONTHS:
        problems["months"] = f"An extension is of 1 to {MAX_EXTENSION_MONTHS} months (Art. 12(3))."
    if not (reason or "").strip():
        problems["reason"] = "Give the reason for the extension; the subject must be told it (Art. 12(3))."
    if today > first_due_on:
        problems["notified_on"] = (
            f"The first deadline ({first_due_on.isoformat()}) has passed: an extension must be decided and the "
            "subject informed within the first month."
        )
    elif notified_on is None:
        problems["notified_on"] = "Give the day the subject was told of the extension and its reasons."
    elif notified_on > first_due_on:
        problems["notified_on"] = (
            f"The subject must be informed by the first deadline ({first_due_on.isoformat()}), not later."
        )
    elif notified_on > today:
        problems["notified_on"] = "The subject cannot have been informed in the future."
    return problems


def due_date_with_identity_pause(
    due_on: date, *, identity_requested_on: date | None, identity_confirmed_on: date | None, today: date
) -> date:
    """
    The deadline when the clock stops while proof of identity is awaited: ``due_on`` moved by the days between the
    request for identity and its confirmation (until ``today`` while still awaited). Unchanged without a request.
    """
    if identity_requested_on is None:
        return due_on
    until = identity_confirmed_on or today
    paused = max(0, (until - identity_requested_on).days)
    return due_on + timedelta(days=paused)


def is_overdue(*, effective_due_on: date, today: date, closed: bool) -> bool:
    """An open request is overdue once the day of its (possibly extended) deadline has ended."""
    return not closed and today > effective_due_on
