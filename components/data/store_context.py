"""What every data store shares: where it runs, the keys it encrypts with, where its logs go,
how its generated credentials rotate and how it is protected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..config.data import SecretsSettings
from ..foundation.log_groups import encrypted_log_group
from ..foundation.protection import Protection


@dataclass(frozen=True)
class StoreContext:
    subnets: Sequence[aws.ec2.Subnet]  # the isolated data subnets, in AZ order
    key: aws.kms.Key  # storage, snapshots, Performance Insights, secrets
    logs_key: aws.kms.Key
    log_retention_days: int
    secret_prefix: str  # Secrets Manager names start with it: `<project>/<stack>`
    secrets: SecretsSettings
    protection: Protection

    @property
    def subnet_ids(self) -> list[pulumi.Output[str]]:
        return [s.id for s in self.subnets]

    def zone(self, index: int) -> pulumi.Output[str]:
        """The AZ of the `index`-th node, round-robin over the data subnets (DB-8)."""
        return self.subnets[index % len(self.subnets)].availability_zone

    def log_groups(self, name: str, path: str, exports: Sequence[str], parent: pulumi.Resource):
        """Encrypted log groups `<path>/<export>` created before the store exports into them (the
        service would otherwise create them unencrypted and kept forever)."""
        return [
            encrypted_log_group(f"{name}-log-{e}", f"{path}/{e}", self.log_retention_days, self.logs_key, parent)
            for e in exports
        ]


def assume_role_policy(service: str) -> pulumi.Output[str]:
    """Trust policy letting one AWS service assume a role."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )
