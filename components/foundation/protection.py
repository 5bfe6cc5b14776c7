"""DB-7: what keeps production data from being destroyed by accident, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

# The tag every store AWS Backup can protect carries; the backup selection matches it (DB-5).
BACKUP_TAG = {"backup": "true"}


@dataclass(frozen=True)
class Protection:
    """Prod: Pulumi `protect`, provider deletion protection and a final snapshot on delete.
    Staging is torn down freely, so it skips all three."""

    enabled: bool

    @classmethod
    def for_tier(cls, tier: str) -> Protection:
        return cls(enabled=tier == "prod")

    @property
    def recovery_window_days(self) -> int:
        """Secrets Manager's window before a deleted secret is gone: the maximum (30) in prod,
        the minimum (7) elsewhere."""
        return 30 if self.enabled else 7

    def options(self, parent: pulumi.Resource, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, protect=self.enabled, **extra)

    def snapshot_on_delete(self, final_snapshot_identifier: str) -> dict[str, Any]:
        """The RDS/DocumentDB arguments: deletion protection plus a named final snapshot."""
        return {
            "deletion_protection": self.enabled,
            "skip_final_snapshot": not self.enabled,
            "final_snapshot_identifier": final_snapshot_identifier if self.enabled else None,
        }


# What tests and ad-hoc components get when nothing is protected (staging's decision).
UNPROTECTED = Protection(enabled=False)
