"""Environment: wires the components of one stack together, nothing else."""

from __future__ import annotations

import pulumi

from .backups import Backups
from .cache import Cache
from .config import Settings
from .config.data import DATA_LOG_RETENTION_DAYS
from .document_store import DocumentStore
from .documents import Documents
from .firewall import SecurityGroups
from .network import Network
from .postgres import Postgres
from .protection import Protection
from .providers import make_providers
from .secrets import AppSecrets
from .security import Keys
from .stores import StoreContext


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

        self._data_tier(name, settings, regional)

        self.outputs: dict[str, pulumi.Input] = {
            "vpc_id": self.network.vpc_id,
            "public_subnet_ids": self.network.public_subnet_ids,
            "app_subnet_ids": self.network.app_subnet_ids,
            "data_subnet_ids": self.network.data_subnet_ids,
            "kms_key_arns": {p: getattr(self.keys, p).arn for p in ("data", "logs", "backup", "alerts", "dr")},
            # Data tier: endpoints and where the credentials live, never the credentials (SEC-1).
            "postgres_endpoint": self.postgres.endpoint,
            "postgres_master_secret_arn": self.postgres.master_secret_arn,
            "docdb_endpoint": self.document_store.endpoint,
            "docdb_secret_arn": self.document_store.secret.arn,
            "cache_endpoint": self.cache.primary_endpoint,
            "cache_secret_arn": self.cache.secret.arn,
            "app_secret_arns": self.app_secrets.arns,
            "documents_bucket": self.documents.bucket_name,
            "documents_replica_bucket": self.documents.replica_bucket_name,
            "backup_vault_arns": [v.arn for v in (self.backups.vault, self.backups.dr_vault) if v is not None],
        }
        self.register_outputs(self.outputs)

    def _data_tier(self, name: str, settings: Settings, regional: pulumi.ResourceOptions) -> None:
        """Secrets, Postgres, DocumentDB, the cache, the documents bucket and their backups."""
        prefix = f"{settings.project}-{settings.stack}"
        secret_prefix = f"{settings.project}/{settings.stack}"
        protection = Protection.for_tier(settings.tier)
        context = StoreContext(
            subnets=self.network.subnets["data"],
            key=self.keys.data,
            logs_key=self.keys.logs,
            log_retention_days=DATA_LOG_RETENTION_DAYS,
            secret_prefix=secret_prefix,
            secrets=settings.secrets,
            protection=protection,
        )
        self.app_secrets = AppSecrets(
            f"{name}-secrets", settings.secrets, secret_prefix, self.keys.data, protection, opts=regional
        )

        def store(component, label: str, store_settings, security_group: str):
            return component(
                f"{name}-{label}",
                store_settings,
                identifier=f"{prefix}-{label}",
                security_group_id=self.security_groups.data[security_group].id,
                context=context,
                opts=regional,
            )

        self.postgres = store(Postgres, "postgres", settings.postgres, "postgres")
        self.document_store = store(DocumentStore, "docdb", settings.docdb, "docdb")
        self.cache = store(Cache, "cache", settings.cache, "redis")
        self.documents = Documents(
            f"{name}-documents",
            settings.documents,
            region=settings.region,
            dr_region=settings.dr_region,
            key=self.keys.data,
            dr_key=self.keys.dr,
            dr_provider=self.providers.dr,
            protection=protection,
            opts=regional,
        )
        self.backups = Backups(
            f"{name}-backups",
            settings.backup,
            vault_prefix=prefix,
            key=self.keys.backup,
            dr_key=self.keys.dr,
            dr_provider=self.providers.dr,
            protection=protection,
            # OBS-4 wiring point: the critical alert topic (observability) goes here.
            notification_topic_arn=None,
            opts=regional,
        )
