"""Environment: wires the components of one stack together, nothing else."""

from __future__ import annotations

import pulumi

from .config import Settings
from .firewall import SecurityGroups
from .network import Network
from .providers import make_providers
from .security import Keys


class Environment(pulumi.ComponentResource):
    """The whole production environment of one stack (staging or prod)."""

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:environment:Environment", name, None, opts)
        self.providers = make_providers(name, settings, parent=self)
        # Children inherit the primary-region provider; DR and global resources name theirs.
        regional = pulumi.ResourceOptions(parent=self, providers={"aws": self.providers.primary})

        self.keys = Keys(f"{name}-keys", settings, dr_provider=self.providers.dr, opts=regional)
        self.network = Network(f"{name}-network", settings.network, settings.region, self.keys.logs, opts=regional)
        self.security_groups = SecurityGroups(
            f"{name}-sg",
            self.network.vpc_id,
            settings.compute.app_port,
            settings.edge.cloudfront_prefix_list_id,
            opts=regional,
        )

        self.outputs: dict[str, pulumi.Input] = {
            "vpc_id": self.network.vpc_id,
            "public_subnet_ids": self.network.public_subnet_ids,
            "app_subnet_ids": self.network.app_subnet_ids,
            "data_subnet_ids": self.network.data_subnet_ids,
            "kms_key_arns": {p: getattr(self.keys, p).arn for p in ("data", "logs", "backup", "alerts", "dr")},
        }
        self.register_outputs(self.outputs)
