"""Backup policies: every data store selected by an AWS Backup plan, schedule and retention,
cross-region copies, encrypted and locked vaults, failure notifications."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from fnmatch import fnmatch
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import _types as t
from ._helpers import (
    arn_region,
    effective_tags,
    flag,
    get,
    items,
    json_document,
    known,
    number,
    region_of,
    strings,
    text,
)
from ._policy import HIGH, MEDIUM, Stack, resource_policy, stack_policy

# What AWS Backup can protect, and which of those count as data stores by default.
DATA_STORE_TYPES = list(t.RDS_INSTANCE + t.RDS_CLUSTER + t.DOCDB_CLUSTER + t.DYNAMODB_TABLE + t.EFS_FILE_SYSTEM)
_TAG_CONDITION = "aws:ResourceTag/"


def _is_cluster_member(resource) -> bool:
    # Aurora/DocumentDB members are backed up through their cluster.
    return bool(get(resource.props, "dbClusterIdentifier"))


def _condition_holds(kind: str, entries, tags: dict[str, str]) -> bool:
    for entry in items(entries):
        key, value = text(get(entry, "key")), text(get(entry, "value"))
        actual = tags.get(key[len(_TAG_CONDITION) :]) if key.startswith(_TAG_CONDITION) else None
        holds = {
            "stringEquals": actual == value,
            "stringNotEquals": actual != value,
            "stringLikes": actual is not None and fnmatch(actual, value),
            "stringNotLikes": actual is None or not fnmatch(actual, value),
        }[kind]
        if not holds:
            return False
    return True


def selects(stack: Stack, selection, resource) -> bool:
    """AWS Backup's rule: (Resources or ListOfTags) and every Condition, minus NotResources."""
    props = selection.props
    arn = text(known(get, resource.props, "arn"))
    tags = effective_tags(resource)

    def listed(prop: str) -> bool:
        return stack.refers(selection, resource, prop) or any(
            "*" in p and arn and fnmatch(arn, p) for p in strings(known(get, props, prop))
        )

    by_tag = any(
        text(get(tag, "type")) == "STRINGEQUALS" and tags.get(text(get(tag, "key"))) == text(get(tag, "value"))
        for tag in items(get(props, "selectionTags"))
    )
    conditions = get(props, "conditions")
    condition_entries = [get(c, kind) for c in items(conditions) for kind in ("stringEquals", "stringLikes")]
    only_conditions = not strings(get(props, "resources")) and not items(get(props, "selectionTags"))
    base = listed("resources") or by_tag or (only_conditions and any(items(e) for e in condition_entries))
    if not base or listed("notResources"):
        return False
    return all(
        _condition_holds(kind, get(c, kind), tags)
        for c in items(conditions)
        for kind in ("stringEquals", "stringNotEquals", "stringLikes", "stringNotLikes")
    )


def _selected(stack: Stack, cfg):
    selections = stack.of(t.BACKUP_SELECTION)
    for resource in stack.of(tuple(cfg["dataStoreTypes"])):
        if _is_cluster_member(resource):
            continue
        if not any(selects(stack, s, resource) for s in selections):
            yield f"data store '{resource.name}' is not selected by any AWS Backup plan", resource.urn


_CRON_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # AWS cron: 1 = SUN
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY, _WEEK = 24 * 60, 7 * 24 * 60


def _cron_field(text_: str, low: int, high: int, names: tuple[str, ...] = ()) -> list[int] | None:
    """The values of one AWS cron field (`*`, `?`, `n`, `a-b`, `a/n`, lists, day names), or None.
    The stack's config validation has its twin (`components/config/backup_schedule.py`): the pack
    stands alone, for any program."""
    values: set[int] = set()
    for part in text_.upper().split(","):
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


def _weekly_starts(schedule: str) -> list[int]:
    """Minutes of the week (Monday 00:00 = 0) at which an AWS cron schedule starts a backup every
    week; none for monthly or rarer schedules, or expressions beyond this reading (L, W, #)."""
    match = re.fullmatch(r"cron\((.+)\)", schedule.strip())
    fields = match.group(1).split() if match else []
    if len(fields) != 6 or fields[2] not in ("*", "?") or fields[3] != "*" or fields[5] != "*":
        return []
    minutes, hours = _cron_field(fields[0], 0, 59), _cron_field(fields[1], 0, 23)
    days = _cron_field(fields[4], 1, 7, _CRON_DAYS)
    if minutes is None or hours is None or days is None:
        return []
    return sorted(((d - 2) % 7) * _DAY + h * 60 + m for d in days for h in hours for m in minutes)


# A winter and a summer instant: a rule in a zone with daylight saving moves against UTC rules.
_SEASONS = (datetime(2025, 1, 15, tzinfo=UTC), datetime(2025, 7, 15, tzinfo=UTC))


def _utc_starts(rule, season: datetime) -> list[int]:
    """A rule's weekly starts in UTC (its `schedule_expression_timezone`, default UTC, at `season`);
    none for a zone this machine doesn't know."""
    zone = text(get(rule, "scheduleExpressionTimezone")) or "UTC"
    try:
        # UTC needs no time zone database (a machine may have none).
        offset = None if zone in ("UTC", "Etc/UTC") else season.astimezone(ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return []
    shift = int(offset.total_seconds() // 60) if offset else 0
    return [(m - shift) % _WEEK for m in _weekly_starts(text(get(rule, "schedule")))]


def _gaps(starts: list[int]) -> list[tuple[int, int]]:
    """(minutes to the next start, start) for each start of the week, longest first."""
    ordered = sorted(set(starts))
    following = [*ordered[1:], ordered[0] + _WEEK]
    return sorted(((b - a, a) for a, b in zip(ordered, following, strict=True)), reverse=True)


def _hours(minutes: float) -> str:
    return f"{minutes / 60:g} h"


def _frequency(args, cfg):
    """The worst-case gap between scheduled backups over the union of the plan's rules, by weekday
    and hour in UTC, in winter and in summer (the hour a daylight-saving change skips is not
    counted). AWS Backup starts no database backup in the hour before a maintenance window or
    during it, so `maintenanceGapsPerWeek` gaps may reach `maxMaintenanceGapHours`."""
    limit, allowed = cfg["maxIntervalHours"] * 60, cfg["maintenanceGapsPerWeek"]
    longest = max(limit, cfg["maxMaintenanceGapHours"] * 60)
    for season in _SEASONS:
        starts = [m for rule in items(get(args.props, "rules")) for m in _utc_starts(rule, season)]
        if not starts:
            yield f"no rule runs every week; backups must run at least every {_hours(limit)}"
            return
        long = [gap for gap in _gaps(starts) if gap[0] > limit]
        if long and (long[0][0] > longest or len(long) > allowed):
            gap, after = long[0]
            day, minute = divmod(after, _DAY)
            yield (
                f"backups are {_hours(gap)} apart after {_WEEKDAYS[day]} {minute // 60:02d}:{minute % 60:02d} UTC"
                f"{'' if season.month == 1 else ' (in summer time)'}, and {len(long)} gap(s) a week exceed "
                f"{_hours(limit)}; backups must run at least every {_hours(limit)}, but for {allowed} gap(s) of up "
                f"to {_hours(longest)} a week (maintenance windows)"
            )
            return


def _continuous(args, cfg):
    if cfg["required"] and not any(flag(get(r, "enableContinuousBackup")) for r in items(get(args.props, "rules"))):
        yield "no rule has enable_continuous_backup=True (point-in-time recovery)"


def _retention(args, cfg):
    kept = [number(get(r, "lifecycle", "deleteAfter")) for r in items(get(args.props, "rules"))]
    # A rule without lifecycle keeps recovery points forever.
    known_days = [k for k in kept if k is not None]
    longest = float("inf") if len(known_days) < len(kept) or not kept else max(known_days)
    if not kept or longest < cfg["minLongestRetentionDays"]:
        shown = "nothing" if not kept else f"{longest:.0f} days"
        yield f"the longest rule keeps {shown}; at least {cfg['minLongestRetentionDays']} days are required"


def _copy_regions(stack: Stack, plan, rule) -> list[str | None]:
    regions = []
    for action in items(get(rule, "copyActions")):
        destination = known(get, action, "destinationVaultArn")
        region = arn_region(destination)
        if region is None:
            vaults = stack.identified(destination, t.BACKUP_VAULT)
            vaults = vaults or stack.referenced(plan, t.BACKUP_VAULT, "rules")
            region = next((region_of(v) for v in vaults if region_of(v) != region_of(plan)), None)
        regions.append(region)
    return regions


def _cross_region_copy(stack: Stack, _cfg):
    for plan in stack.of(t.BACKUP_PLAN):
        home = region_of(plan)
        for rule in items(get(plan.props, "rules")):
            if flag(get(rule, "enableContinuousBackup")):
                continue  # continuous (PITR) recovery points stay in-region; the snapshot rules carry DR
            regions = _copy_regions(stack, plan, rule)
            if not any(r and r != home for r in regions):
                name = text(get(rule, "ruleName"))
                yield f"rule '{name}' of backup plan '{plan.name}' copies no recovery point to another region", plan.urn


def _vault_encrypted(args, _cfg):
    if not get(args.props, "kmsKeyArn"):
        yield "kmsKeyArn is not set: the vault uses the AWS-managed key"


def _vault_locked(stack: Stack, cfg):
    for vault in stack.of(t.BACKUP_VAULT):
        locks = stack.referrers(t.BACKUP_VAULT_LOCK, vault, "backupVaultName")
        if not locks:
            yield f"backup vault '{vault.name}' has no vault lock", vault.urn
        elif cfg["complianceMode"] and not any(get(lock.props, "changeableForDays") is not None for lock in locks):
            yield f"backup vault '{vault.name}' is locked in governance mode (set changeable_for_days)", vault.urn


# Backup job events carry the outcome in detail.state (restore jobs use detail.status instead),
# and FAILED, ABORTED and EXPIRED are the ways a backup job does not complete.
_FAILED_STATES = {"FAILED", "ABORTED", "EXPIRED"}


def _watches_backup_failures(pattern) -> bool:
    kinds = strings(get(pattern, "detail-type"))
    detail = get(pattern, "detail")
    # EventBridge's `$or` matches when any alternative does (content filtering).
    states = strings(get(detail, "state")) + [
        s for alt in items(get(detail, "$or")) for s in strings(get(alt, "state"))
    ]
    return (
        "aws.backup" in strings(get(pattern, "source"))
        and (not kinds or "Backup Job State Change" in kinds)
        and bool(_FAILED_STATES & set(states))
    )


def _notifies_failures(stack: Stack) -> bool:
    for notification in stack.of(t.BACKUP_VAULT_NOTIFICATIONS):
        # BACKUP_JOB_FAILED is deprecated and no longer sent; BACKUP_JOB_COMPLETED carries every outcome.
        if "BACKUP_JOB_COMPLETED" in strings(known(get, notification.props, "backupVaultEvents")):
            return True
    for rule in stack.of(t.EVENT_RULE):
        pattern = json_document(known(get, rule.props, "eventPattern")) or {}
        # A rule notifies nobody until an aws.cloudwatch.EventTarget sends its events somewhere.
        if _watches_backup_failures(pattern) and stack.referrers(t.EVENT_TARGET, rule, "rule"):
            return True
    return False


def _failure_notifications(stack: Stack, _cfg):
    plans = stack.of(t.BACKUP_PLAN)
    if plans and not _notifies_failures(stack):
        yield (
            "no vault notification or EventBridge rule reports failed backup jobs",
            plans[0].urn,
        )


POLICIES = [
    stack_policy(
        "backup-datastores-selected",
        description="Every data store is selected by an AWS Backup plan (by resource, tag or condition; provider "
        "default tags count).",
        severity=HIGH,
        checklist=("DB-5",),
        remediation="Tag the data store with the tag the plan's aws.backup.Selection selects (e.g. backup=true), or "
        "list its ARN in the selection's resources.",
        check=_selected,
        config={"dataStoreTypes": {"type": "array", "items": {"type": "string"}, "default": DATA_STORE_TYPES}},
    ),
    resource_policy(
        "backup-plan-frequency",
        types=t.BACKUP_PLAN,
        description="Backups run often enough for the recovery point objective: no gap between scheduled backups, "
        "over all the plan's rules, exceeds maxIntervalHours (hourly in production) but for maintenanceGapsPerWeek "
        "gaps of up to maxMaintenanceGapHours around database maintenance windows.",
        severity=HIGH,
        checklist=("DB-5", "DB-6"),
        remediation="Add a rule with schedule='cron(0 * ? * * *)', or, around a maintenance window, one rule for the "
        "other days and one skipping only the hours before and during it (e.g. 'cron(0 0,3-23 ? * TUE *)').",
        check=_frequency,
        config={
            "maxIntervalHours": {"type": "number", "minimum": 1, "default": 1},
            "maxMaintenanceGapHours": {"type": "number", "minimum": 1, "default": 3},
            "maintenanceGapsPerWeek": {"type": "integer", "minimum": 0, "default": 1},
        },
    ),
    resource_policy(
        "backup-plan-continuous-backup",
        types=t.BACKUP_PLAN,
        description="A rule keeps continuous backups for point-in-time recovery.",
        severity=HIGH,
        checklist=("DB-5",),
        remediation="Set enable_continuous_backup=True on a rule (retention at most 35 days).",
        check=_continuous,
        config={"required": {"type": "boolean", "default": True}},
    ),
    resource_policy(
        "backup-plan-retention",
        types=t.BACKUP_PLAN,
        description="Recovery points are kept as long as the retention schedule requires (yearly copies for 7 years "
        "in production).",
        severity=HIGH,
        checklist=("DB-5",),
        remediation="Add rules whose lifecycle.delete_after covers the daily (7), weekly (28), monthly (365) and "
        "yearly (2555) retention.",
        check=_retention,
        config={"minLongestRetentionDays": {"type": "integer", "minimum": 1, "default": 2555}},
    ),
    stack_policy(
        "backup-plan-cross-region-copy",
        description="Every backup rule copies its recovery points to a vault in another region.",
        severity=HIGH,
        checklist=("DB-6",),
        remediation="Add copy_actions=[{'destination_vault_arn': <DR-region vault>.arn, 'lifecycle': {...}}] to "
        "each rule.",
        check=_cross_region_copy,
    ),
    resource_policy(
        "backup-vault-encrypted-cmk",
        types=t.BACKUP_VAULT,
        description="Backup vaults encrypt recovery points with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("DB-6", "DB-2"),
        remediation="Set kms_key_arn=<CMK ARN> on the vault (replacement required).",
        check=_vault_encrypted,
    ),
    stack_policy(
        "backup-vault-locked",
        description="Backup vaults are locked so recovery points cannot be deleted early.",
        severity=HIGH,
        checklist=("DB-6",),
        remediation="Add aws.backup.VaultLockConfiguration(backup_vault_name=vault.name, min_retention_days=..., "
        "changeable_for_days=3) (compliance mode is immutable after the cooling-off period).",
        check=_vault_locked,
        config={"complianceMode": {"type": "boolean", "default": False}},
    ),
    stack_policy(
        "backup-job-failures-notified",
        description="Failed backup jobs notify the on-call topic: an EventBridge rule on backup job state "
        "(detail.state) with a target, or vault notifications of BACKUP_JOB_COMPLETED.",
        severity=MEDIUM,
        checklist=("OBS-4",),
        remediation="Add aws.cloudwatch.EventRule(event_pattern=pulumi.Output.json_dumps({'source': ['aws.backup'], "
        "'detail-type': ['Backup Job State Change'], 'detail': {'state': ['FAILED', 'ABORTED', 'EXPIRED']}})) with "
        "aws.cloudwatch.EventTarget(rule=rule.name, arn=<critical topic ARN>), or aws.backup.VaultNotifications("
        "backup_vault_name=vault.name, sns_topic_arn=<critical topic ARN>, backup_vault_events=['BACKUP_JOB_COMPLETED'"
        "]) with an SNS filter on the failed states.",
        check=_failure_notifications,
    ),
]
