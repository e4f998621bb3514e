"""Structured opening hours: weekly ranges (overnight ones too), public holidays, special days.

A range is (start, end) in minutes after midnight. `end <= start` is an overnight range: it
belongs to the day it starts on and runs into the next morning (22:00–06:00 on Friday is open
until 06:00 on Saturday, whatever Saturday is). `(0, 1440)` is the whole day.

Which ranges a day has:
1. a special day listed for that date (a closure, shortened hours) wins;
2. a public holiday of the calendar (gonghui.core.workdays' `CalendarDay`) follows the point's
   holiday rule: `regular` (its weekday's hours), `closed`, or `special` (the holiday ranges);
3. an adjusted working weekend day (调休上班) has Monday's hours unless the rule is `regular`;
4. otherwise the weekday's ranges.

The text form is what staff type and what import files carry, in English or Chinese:
`Mon-Fri 08:30-17:30; Sat 09:00-12:00; holidays closed; 2026-10-02 10:00-16:00`,
`周一至周五 08:30-17:30；周六 09:00-12:00；节假日 休息`, `24h`, `每天 22:00-06:00`.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

Range = tuple[int, int]
DAY_MINUTES = 1440
ALL_DAY: Range = (0, DAY_MINUTES)

HOLIDAY_RULES = ("regular", "closed", "special")
_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZH_DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_DAY_NAMES: dict[str, int] = {}
for _i, (_en, _zh) in enumerate(zip(_EN_DAYS, _ZH_DAYS, strict=True)):
    _DAY_NAMES[_en.casefold()] = _i
    _DAY_NAMES[_zh] = _i
    _DAY_NAMES[_zh.replace("周", "星期")] = _i
_DAY_NAMES |= {"周天": 6, "星期天": 6, "monday": 0, "tuesday": 1, "wednesday": 2}
_DAY_NAMES |= {"thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_DAILY = {"daily", "every day", "每天", "每日", "全天"}
_HOLIDAYS = {"holidays", "holiday", "public holidays", "节假日", "法定节假日", "节日"}
_CLOSED = {"closed", "休息", "关闭", "闭馆", "不开放", "休"}
_REGULAR = {"regular", "as usual", "照常", "正常开放", "照常开放"}
_ALWAYS = {"24h", "24 h", "24小时", "24 小时", "全天24小时", "全天候"}
_RANGE_RE = re.compile(r"(\d{1,2}):(\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2}):(\d{2})")
_DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_SEGMENT_SPLIT = re.compile(r"[;；\n]+")
_DAY_SPAN_RE = re.compile(r"(.+?)\s*(?:-|–|至|到|~)\s*(.+)")


class HoursInvalid(ValueError):
    """Text that is not opening hours; str() is a translated message naming the part."""


@dataclass
class Hours:
    weekly: list[list[Range]] = field(default_factory=lambda: [[] for _d in range(7)])
    holidays: str = "regular"
    holiday_ranges: list[Range] = field(default_factory=list)
    special: dict[date, list[Range]] = field(default_factory=dict)

    # --- storage ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "weekly": [[list(r) for r in day] for day in self.weekly],
            "holidays": self.holidays,
            "holiday_ranges": [list(r) for r in self.holiday_ranges],
            "special": {
                d.isoformat(): [list(r) for r in rs] for d, rs in sorted(self.special.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Hours":
        data = data or {}
        weekly = [[(int(s), int(e)) for s, e in day] for day in data.get("weekly", [[]] * 7)]
        return cls(
            weekly=weekly + [[] for _d in range(7 - len(weekly))],
            holidays=data.get("holidays", "regular"),
            holiday_ranges=[(int(s), int(e)) for s, e in data.get("holiday_ranges", [])],
            special={
                date.fromisoformat(d): [(int(s), int(e)) for s, e in rs]
                for d, rs in data.get("special", {}).items()
            },
        )

    # --- rules ------------------------------------------------------------------------------

    def ranges_on(self, day: date, calendar: dict[date, str]) -> list[Range]:
        """The ranges that start on `day` (see the module docstring for the order of rules)."""
        if day in self.special:
            return self.special[day]
        kind = calendar.get(day)
        if kind == "holiday":
            if self.holidays == "closed":
                return []
            if self.holidays == "special":
                return self.holiday_ranges
        elif kind == "workday" and day.weekday() >= 5 and self.holidays != "regular":
            return self.weekly[0]
        return self.weekly[day.weekday()]

    def is_open(self, at: datetime, calendar: dict[date, str]) -> bool:
        """Whether the point is open at the local wall-clock time `at`.

        `calendar` holds the listed holidays/working days (date → kind) of at least the day
        before and the day of `at`.
        """
        today = at.date()
        minute = at.hour * 60 + at.minute
        for start, end in self.ranges_on(today, calendar):
            if (start <= minute < end) if end > start else minute >= start:
                return True
        yesterday = today - timedelta(days=1)
        return any(
            end <= start and minute < end for start, end in self.ranges_on(yesterday, calendar)
        )

    @property
    def always_open(self) -> bool:
        return all(day == [ALL_DAY] for day in self.weekly) and self.holidays == "regular"


# --- text ---------------------------------------------------------------------------------------


def _minutes(hours: str, minutes: str, *, end: bool) -> int:
    h, m = int(hours), int(minutes)
    if m >= 60 or h > 24 or (h == 24 and (m or not end)):
        raise ValueError
    return h * 60 + m


def _ranges(text: str) -> list[Range]:
    found: list[Range] = []
    rest = text
    for match in _RANGE_RE.finditer(text):
        try:
            start = _minutes(match[1], match[2], end=False)
            end = _minutes(match[3], match[4], end=True)
        except ValueError:
            raise HoursInvalid(_("“%(text)s” is not a time range.") % {"text": match[0]}) from None
        if end == DAY_MINUTES and start:
            end = 0  # 22:00-24:00: an overnight range that ends at midnight
        if start == end:
            raise HoursInvalid(
                _("“%(text)s” starts and ends at the same time.") % {"text": match[0]}
            )
        found.append((start, end))
        rest = rest.replace(match[0], " ", 1)
    if not found or rest.strip(" ,，、"):
        raise HoursInvalid(_("“%(text)s” is not a list of time ranges.") % {"text": text})
    return sorted(found)


def _day(name: str) -> int:
    key = name.strip().casefold()
    if key not in _DAY_NAMES:
        raise HoursInvalid(_("“%(text)s” is not a day of the week.") % {"text": name})
    return _DAY_NAMES[key]


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in re.split(r"[,，、/]", text):
        part = part.strip()
        if not part:
            continue
        span = _DAY_SPAN_RE.fullmatch(part)
        if span and span[1].strip().casefold() in _DAY_NAMES:
            first, last = _day(span[1]), _day(span[2])
            days += [d % 7 for d in range(first, last + (7 if last < first else 0) + 1)]
        else:
            days.append(_day(part))
    return days


def _split_head(segment: str) -> tuple[str, str]:
    """'Mon-Fri 08:30-17:30' → ('Mon-Fri', '08:30-17:30'), at the first digit time or keyword."""
    match = re.search(r"\d{1,2}:\d{2}", segment)
    for word in sorted(_CLOSED | _REGULAR, key=len, reverse=True):
        position = segment.casefold().find(word)
        if position > 0 and (match is None or position < match.start()):
            return segment[:position].strip(), segment[position:].strip()
    if match is None or match.start() == 0:
        raise HoursInvalid(_("“%(text)s” names no days.") % {"text": segment})
    return segment[: match.start()].strip(" :："), segment[match.start() :].strip()


def parse_hours(text: str) -> Hours:
    """Opening hours from their text form (module docstring); HoursInvalid naming the part."""
    hours = Hours()
    for raw in _SEGMENT_SPLIT.split(text or ""):
        segment = " ".join(raw.split())
        if not segment:
            continue
        if segment.casefold() in _ALWAYS:
            hours.weekly = [[ALL_DAY] for _d in range(7)]
            continue
        head, body = _split_head(segment)
        closed = body.casefold() in _CLOSED
        key = head.casefold()
        if key in _HOLIDAYS:
            if closed:
                hours.holidays, hours.holiday_ranges = "closed", []
            elif body.casefold() in _REGULAR:
                hours.holidays, hours.holiday_ranges = "regular", []
            else:
                hours.holidays, hours.holiday_ranges = "special", _ranges(body)
            continue
        if body.casefold() in _REGULAR:
            raise HoursInvalid(_("“%(text)s”: only holidays can be “regular”.") % {"text": segment})
        ranges = [] if closed else _ranges(body)
        if _DATE_RE.fullmatch(head):
            try:
                day = date.fromisoformat("-".join(f"{int(p):02d}" for p in head.split("-")))
            except ValueError:
                raise HoursInvalid(_("“%(text)s” is not a date.") % {"text": head}) from None
            hours.special[day] = ranges
            continue
        days = range(7) if key in _DAILY else _days(head)
        for day_index in days:
            hours.weekly[day_index] = list(ranges)
    return hours


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _ranges_text(ranges: list[Range]) -> str:
    return ",".join(f"{_time(s)}-{_time(e)}" for s, e in ranges)


def format_hours(hours: Hours, *, chinese: bool = False) -> str:
    """The text form of `hours` (parse_hours reads it back to the same Hours)."""
    names = _ZH_DAYS if chinese else _EN_DAYS
    to = "至" if chinese else "-"
    parts: list[str] = []
    if all(day == hours.weekly[0] for day in hours.weekly) and hours.weekly[0]:
        parts.append(f"{'每天' if chinese else 'daily'} {_ranges_text(hours.weekly[0])}")
    else:
        day = 0
        while day < 7:
            ranges = hours.weekly[day]
            last = day
            while last + 1 < 7 and hours.weekly[last + 1] == ranges:
                last += 1
            if ranges:
                head = names[day] if last == day else f"{names[day]}{to}{names[last]}"
                if last == day + 1:
                    head = f"{names[day]},{names[last]}"
                parts.append(f"{head} {_ranges_text(ranges)}")
            day = last + 1
    holiday = "节假日" if chinese else "holidays"
    if hours.holidays == "closed":
        parts.append(f"{holiday} {'休息' if chinese else 'closed'}")
    elif hours.holidays == "special":
        parts.append(f"{holiday} {_ranges_text(hours.holiday_ranges)}")
    for day_date, ranges in sorted(hours.special.items()):
        closed = "休息" if chinese else "closed"
        parts.append(f"{day_date.isoformat()} {_ranges_text(ranges) if ranges else closed}")
    return ("；" if chinese else "; ").join(parts)
