"""Calendar arithmetic for billing periods: the same moment N months (or years, weeks, days) later."""

from __future__ import annotations

import calendar
from datetime import datetime, timezone

DAY = 86400
_FIXED = {"day": DAY, "week": 7 * DAY}


def add_months(timestamp: int, months: int = 1) -> int:
    """The same moment `months` calendar months later (clamped to the month's last day)."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def add_interval(timestamp: int, interval: str, count: int = 1) -> int:
    """One billing period on: `interval` is day, week, month or year, times `count`."""
    if interval in _FIXED:
        return timestamp + _FIXED[interval] * count
    return add_months(timestamp, count * (12 if interval == "year" else 1))
