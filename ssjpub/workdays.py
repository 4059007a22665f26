"""Statutory working days (周末、法定节假日、调休上班日): chinesecalendar, and committed overrides
for years it does not cover yet. A year covered by neither is never guessed at."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta

import chinese_calendar

# chinesecalendar checks its tables on every call (≈ 50 µs); rules count thousands of days.
_official_workday = lru_cache(maxsize=None)(chinese_calendar.is_workday)


class CalendarGap(Exception):
    """No official schedule for `year`: the State Council notice must be added first."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year

    @property
    def notice(self) -> str:
        return f"《国务院办公厅关于{self.year}年部分节假日安排的通知》"


@dataclass(frozen=True)
class YearOverride:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]  # 调休上班的周末


@dataclass(frozen=True)
class Calendar:
    overrides: dict[int, YearOverride]

    def is_workday(self, day: date) -> bool:
        o = self.overrides.get(day.year)
        if o is not None:
            if day in o.workdays:
                return True
            return day.weekday() < 5 and day not in o.holidays
        try:
            return _official_workday(day)
        except NotImplementedError:
            raise CalendarGap(day.year) from None

    def working_days_between(self, after: date, until: date) -> int:
        """Working days in (after, until]: publication on the first working day after
        completion is day 1."""
        n, day = 0, after
        while day < until:
            day += timedelta(days=1)
            n += self.is_workday(day)
        return n

    def add_working_days(self, after: date, n: int) -> date:
        """The n-th working day after `after`."""
        day = after
        while n > 0:
            day += timedelta(days=1)
            n -= self.is_workday(day)
        return day
