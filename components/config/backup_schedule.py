"""When AWS Backup may start database backups, derived from the stores' maintenance windows.

AWS Backup starts no backup of an RDS or DocumentDB database in the hour before its maintenance
window or during it (AWS Backup guide, "Backup plan options and configuration", backup window). A
job that can't start within its start window ends EXPIRED (API reference, `BackupRule`,
`StartWindowMinutes`), which pages OBS-4's critical topic. So the hourly rung skips the hours whose
jobs could not start, and every other rung is refused if one of its jobs could not start, or could
still be running when maintenance begins (`CompletionWindowMinutes` counts from the scheduled time,
API reference, `StartBackupJob`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .data import DAYS, WEEK, WEEKLY_WINDOW

# A job waits at most this long to start (AWS minimum: 60), then expires.
START_WINDOW_MINUTES = 60
# A job scheduled at t must be done by t + this, or AWS Backup cancels it; AWS refuses a completion
# window less than 60 minutes longer than the start window, so 120 is the hourly rung's shortest.
COMPLETION_WINDOW_MINUTES = {"hourly": 120}
DEFAULT_COMPLETION_WINDOW_MINUTES = 480
# AWS Backup starts no database backup this long before a maintenance window, nor during it.
NO_START_BEFORE_MAINTENANCE_MINUTES = 60
DAY = 24 * 60
# The continuous rule's daily job (snapshots of the types without point-in-time restore).
CONTINUOUS_SCHEDULE = "cron(0 6 ? * * *)"
# AWS cron's day-of-week names, in its own order (1 = SUN).
CRON_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

Span = tuple[int, int]


def completion_window(rung: str) -> int:
    return COMPLETION_WINDOW_MINUTES.get(rung, DEFAULT_COMPLETION_WINDOW_MINUTES)


def maintenance_spans(window: str) -> list[Span]:
    """A weekly window as half-open minute-of-week spans (Monday 00:00 = 0), split at the week's end."""
    match = WEEKLY_WINDOW.match(window)
    if match is None:
        raise ValueError(f"{window!r} is not a weekly UTC window like 'tue:02:00-tue:03:00'")
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = DAYS.index(d1) * DAY + int(h1) * 60 + int(m1)
    end = DAYS.index(d2) * DAY + int(h2) * 60 + int(m2)
    return [(start, end)] if end > start else [(start, WEEK), (0, end)]


def _meets(begin: int, length: int, spans: Iterable[Span]) -> bool:
    """Whether [begin, begin + length) meets any span, the week wrapping around."""
    return any(begin + shift < b and a < begin + shift + length for a, b in spans for shift in (-WEEK, 0, WEEK))


def job_conflict(start: int, rung: str, maintenance: Iterable[str]) -> str | None:
    """Why a job of `rung` scheduled at minute-of-week `start` would fail, or None."""
    for window in maintenance:
        spans = maintenance_spans(window)
        no_start = [(a - NO_START_BEFORE_MAINTENANCE_MINUTES, b) for a, b in spans]
        if _meets(start, START_WINDOW_MINUTES, no_start):
            return f"can't start within {START_WINDOW_MINUTES} min (none starts an hour before or during {window})"
        if _meets(start, completion_window(rung), spans):
            return f"may still run ({completion_window(rung)} min allowed) when {window} begins"
    return None


def _ranges(values: list[int], names: tuple[str, ...] | None = None) -> str:
    """`[0, 3, 4, 5]` as `0,3-5` (or with names: `SUN,TUE-THU`)."""
    parts, run = [], [values[0]]
    for value in values[1:]:
        if value == run[-1] + 1:
            run.append(value)
        else:
            parts.append(run)
            run = [value]
    parts.append(run)
    show = (lambda v: names[v]) if names else str
    return ",".join(show(r[0]) if len(r) == 1 else f"{show(r[0])}-{show(r[-1])}" for r in parts)


def hourly_schedules(maintenance: Iterable[str]) -> dict[str, str]:
    """The hourly rung as rules: rule name to cron, one per set of weekdays sharing the same hours.

    `hourly` runs every hour on the days maintenance never touches; `hourly-tue` (etc.) runs on
    the others every hour whose job can start and finish clear of maintenance."""
    windows = list(maintenance)
    by_hours: dict[tuple[int, ...], list[int]] = {}
    for day in range(7):
        hours = tuple(h for h in range(24) if job_conflict(day * DAY + h * 60, "hourly", windows) is None)
        if hours:
            by_hours.setdefault(hours, []).append(day)
    rules = {}
    for hours, days in by_hours.items():
        cron_days = sorted((d + 1) % 7 for d in days)  # Monday-first index to AWS's Sunday-first
        every_day, every_hour = len(days) == 7, len(hours) == 24
        name = "hourly" if every_hour else "hourly-" + "-".join(DAYS[d] for d in days)
        hour_field = "*" if every_hour else _ranges(list(hours))
        day_field = "*" if every_day else _ranges(cron_days, CRON_DAYS)
        rules[name] = f"cron(0 {hour_field} ? * {day_field} *)"
    return rules


def _field(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> list[int] | None:
    """The values of one cron field (`*`, `n`, `a-b`, `a/n`, lists; names for days), or None.
    The pack reads cron the same way (`hardening.backup._cron_field`): it checks any program and
    imports none of this one, which in turn does not ship the pack."""
    values: set[int] = set()
    for part in text.upper().split(","):
        for index, name in enumerate(names):
            part = re.sub(rf"\b{name}\b", str(index + low), part)
        match = re.fullmatch(r"(\*|\?|\d+)(?:-(\d+))?(?:/(\d+))?", part)
        if match is None:
            return None
        first, last, step = match.groups()
        start = low if first in "*?" else int(first)
        end = int(last) if last else (high if first in "*?" or step else start)
        values.update(range(start, end + 1, int(step or 1)))
    return sorted(values) if values and min(values) >= low and max(values) <= high else None


def starts(schedule: str) -> list[int] | None:
    """The minutes of the week a cron schedule may start a job in (a day of the month may be any
    weekday), or None when its minutes, hours or weekdays are beyond this simple reading (L, #)."""
    match = re.fullmatch(r"cron\((.+)\)", schedule.strip())
    fields = match.group(1).split() if match else []
    if len(fields) != 6:
        return None
    minutes, hours = _field(fields[0], 0, 59), _field(fields[1], 0, 23)
    cron_days = _field(fields[4], 1, 7, CRON_DAYS) if fields[2] in ("*", "?") else list(range(1, 8))
    if minutes is None or hours is None or cron_days is None:
        return None
    days = [(d - 2) % 7 for d in cron_days]  # AWS's 1 = SUN to Monday-first
    return [d * DAY + h * 60 + m for d in days for h in hours for m in minutes]


def at(minute_of_week: int) -> str:
    day, rest = divmod(minute_of_week % WEEK, DAY)
    return f"{DAYS[day]} {rest // 60:02d}:{rest % 60:02d}"
