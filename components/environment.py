"""Environment: wires the components of one stack together, nothing else."""

from __future__ import annotations

import pulumi

from .compute import AppImage, AppTier
from .compute.kubernetes import Cluster, EksPlatform, LoadBalancerController, Workload
from .config import COLORS, Color, Settings
from .config.data import DATA_LOG_RETENTION_DAYS
from .data import (
    AppSecrets,
    Backups,
    Cache,
    Documents,
    DocumentStore,
    Postgres,
    SecretRotator,
    StoreContext,
)
from .edge import Cdn, Certificate, LoadBalancer, OriginSecret, WebAcl, edge_log_bucket
from .foundation import GLOBAL_REGION, Keys, Network, Protection, SecurityGroups, make_providers
from .observability import (
    Alarms,
    AlarmTargets,
    CertificateTarget,
    Dashboard,
    Notifications,
    PodsTarget,
    WebAclTarget,
)


class Environment(pulumi.ComponentResource):
    """The whole production environment of one stack (staging or prod)."""

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:environment:Environment", name, None, opts)
        # DB-7: one decision for every component (protect, deletion protection, final snapshots).
        self.protection = Protection.for_tier(settings.tier)
        self.providers = make_providers(name, settings, parent=self)
        # Children inherit the primary-region provider; DR and global resources name theirs.
        regional = pulumi.ResourceOptions(parent=self, providers={"aws": self.providers.primary})

        self.keys = Keys(
            f"{name}-keys",
            settings,
            self.protection,
            dr_provider=self.providers.dr,
            opts=regional,
            global_provider=self.providers.global_,
        )
        self.network = Network(f"{name}-network", settings.network, settings.region, self.keys.logs, opts=regional)
        self.security_groups = SecurityGroups(
            f"{name}-sg",
            self.network.vpc_id,
            settings.compute.app_port,
            settings.edge.cloudfront_prefix_list_id,
            opts=regional,
        )

        # Access logs of the ALB, CloudFront and the buckets (SSE-S3: ALB log delivery can't use KMS).
        self.edge_logs = edge_log_bucket(
            f"{name}-edge-logs",
            settings.region,
            settings.account_id,
            settings.edge.log_retention_days,
            self.protection,
            opts=regional,
        )
        self._notifications(name, settings, regional)
        self._data_tier(name, settings, regional)
        self._edge(name, settings, regional)
        self._monitoring(name, settings, regional)

        self.outputs: dict[str, pulumi.Input] = {
            "vpc_id": self.network.vpc_id,
            "public_subnet_ids": self.network.public_subnet_ids,
            "app_subnet_ids": self.network.app_subnet_ids,
            "data_subnet_ids": self.network.data_subnet_ids,
            "kms_key_arns": {p: getattr(self.keys, p).arn for p in ("data", "logs", "backup", "alerts", "dr")},
            "site_url": f"https://{settings.domain}",
            "cdn_distribution_id": self.cdn.distribution_id,
            "cdn_domain_name": self.cdn.domain_name,
            "assets_bucket": self.cdn.assets.bucket_name,
            "edge_log_bucket": self.edge_logs.bucket_name,
            "alb_dns_name": self.load_balancer.dns_name,
            "alb_arn_suffix": self.load_balancer.arn_suffix,
            "target_group_arn_suffixes": self.load_balancer.target_group_arn_suffixes,
            "asg_names": self.app_tier.group_names,
            "web_acl_names": {scope: acl.acl_name for scope, acl in self.web_acls.items()},
            "certificate_arns": {use: cert.arn for use, cert in self.certificates.items()},
            "ecr_repository_url": self.image.repository_url,
            "image_refs": self.image.refs,
            "origin_secret_arn": self.origin_secret.arn,
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
            # Observability: where alarms go and where to look.
            "alert_topic_arns": self.alerts.arns,
            "dashboard_name": self.dashboard.dashboard_name,
        }
        self.register_outputs(self.outputs)

    def _edge(self, name: str, settings: Settings, regional: pulumi.ResourceOptions) -> None:
        """Browser → CloudFront (+WAF) → ALB (+WAF) → blue/green Auto Scaling groups."""
        edge = settings.edge
        protection = self.protection
        origin_hostname = f"{edge.origin_subdomain}.{settings.domain}"
        in_us_east_1 = pulumi.ResourceOptions(parent=self, provider=self.providers.global_)

        self.origin_secret = OriginSecret(
            f"{name}-origin-secret",
            self.keys.data,
            settings.edge.origin_secret,
            protection=protection,
            opts=regional,
        )
        self.certificates = {
            "alb": Certificate(f"{name}-alb-cert", origin_hostname, settings.hosted_zone_id, opts=regional),
            "cdn": Certificate(f"{name}-cdn-cert", settings.domain, settings.hosted_zone_id, opts=in_us_east_1),
        }
        waf = {"region": settings.region, "account_id": settings.account_id}
        self.web_acls = {
            "regional": WebAcl(f"{name}-waf-alb", "REGIONAL", edge, logs_key=self.keys.logs, opts=regional, **waf),
            "cloudfront": WebAcl(
                f"{name}-waf-cdn",
                "CLOUDFRONT",
                edge,
                logs_key=self.keys.global_logs,
                opts=in_us_east_1,
                **(waf | {"region": GLOBAL_REGION}),
            ),
        }
        self.load_balancer = LoadBalancer(
            f"{name}-lb",
            settings.traffic,
            resource_name=settings.name_prefix,
            vpc_id=self.network.vpc_id,
            subnet_ids=self.network.public_subnet_ids,
            security_group=self.security_groups.alb,
            app_port=settings.compute.app_port,
            hostname=origin_hostname,
            zone_id=settings.hosted_zone_id,
            certificate_arn=self.certificates["alb"].arn,
            web_acl_arn=self.web_acls["regional"].arn,
            log_bucket=self.edge_logs,
            origin_secret=self.origin_secret,
            protection=protection,
            ip_colors=settings.compute.colors_on("eks"),
            opts=regional,
        )
        self.image = AppImage(
            f"{name}-image",
            settings.compute,
            repository_name=f"{settings.name_prefix}/app",
            key=self.keys.data,
            protection=protection,
            opts=regional,
        )
        self.app_tier = AppTier(
            f"{name}-app",
            settings.compute,
            resource_name=settings.name_prefix,
            region=settings.region,
            subnet_ids=self.network.app_subnet_ids,
            security_group=self.security_groups.app,
            target_groups=self.load_balancer.target_groups,
            images=self.image.refs,
            repository_arn=self.image.repository.arn,
            secret_arns=self.app_secret_arns(),
            data_key=self.keys.data,
            autoscaling_role_arn=self.keys.autoscaling_role.arn,
            logs_key=self.keys.logs,
            log_retention_days=edge.log_retention_days,
            tags=settings.tags,
            opts=regional,
        )
        self.kubernetes = self._kubernetes(name, settings, regional) if "eks" in settings.compute.platforms else None
        self.cdn = Cdn(
            f"{name}-cdn",
            edge,
            domain=settings.domain,
            zone_id=settings.hosted_zone_id,
            origin_hostname=origin_hostname,
            certificate_arn=self.certificates["cdn"].arn,
            web_acl_arn=self.web_acls["cloudfront"].arn,
            origin_secret=self.origin_secret,
            assets_key=self.keys.data,
            log_bucket=self.edge_logs,
            protection=protection,
            opts=regional,
        )

    def _kubernetes(self, name: str, settings: Settings, regional: pulumi.ResourceOptions) -> EksPlatform:
        """The eks colours: the cluster, the workload and the controller feeding the target groups."""
        compute = settings.compute
        assert compute.eks is not None
        cluster = Cluster(
            f"{name}-eks",
            compute.eks,
            cluster_name=f"{settings.project}-{settings.stack}",
            account_id=settings.account_id,
            vpc_id=self.network.vpc_id,
            subnet_ids=self.network.app_subnet_ids,
            security_groups=self.security_groups,
            app_port=compute.app_port,
            data_key=self.keys.data,
            logs_key=self.keys.logs,
            log_retention_days=settings.edge.log_retention_days,
            protection=self.protection,
            tags=settings.tags,
            opts=regional,
        )
        workload = Workload(
            f"{name}-k8s",
            compute,
            cluster=cluster,
            region=settings.region,
            images=self.image.refs,
            secret_arns=self.app_secret_arns(),
            data_key=self.keys.data,
            load_balancer_cidrs=[s.cidr_block for s in self.network.subnets["public"]],
            data_cidrs=[s.cidr_block for s in self.network.subnets["data"]],
            opts=regional,
        )
        controller = LoadBalancerController(
            f"{name}-lbc",
            compute.eks,
            cluster=cluster,
            workload=workload,
            region=settings.region,
            vpc_id=self.network.vpc_id,
            target_groups=self.load_balancer.target_groups,
            app_port=compute.app_port,
            opts=regional,
        )
        return EksPlatform(cluster, workload, controller)

    def _pods_targets(self) -> dict[Color, PodsTarget]:
        if self.kubernetes is None:
            return {}
        cluster, workload = self.kubernetes.cluster, self.kubernetes.workload
        return {
            color: PodsTarget(cluster.cluster.name, workload.namespace_name, f"app-{color}")
            for color in workload.deployments
        }

    def app_secret_arns(self) -> dict[str, pulumi.Input[str]]:
        """The secrets the application reads at boot: container environment variable → secret
        ARN. The instance role may read these and nothing else (SEC-1)."""
        app = {label.upper().replace("-", "_"): secret.arn for label, secret in self.app_secrets.secrets.items()}
        return {
            **app,
            "DATABASE_SECRET": self.postgres.master_secret_arn,
            "DOCDB_SECRET": self.document_store.secret.arn,
            "REDIS_AUTH_SECRET": self.cache.secret.arn,
        }

    def _data_tier(self, name: str, settings: Settings, regional: pulumi.ResourceOptions) -> None:
        """Secrets, Postgres, DocumentDB, the cache, the documents bucket and their backups."""
        prefix, secret_prefix = settings.name_prefix, settings.secret_prefix
        protection = self.protection
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
        # SEC-2: the secrets AWS can't rotate itself (RDS rotates Postgres's own).
        stores = {"docdb": self.document_store.rotation_target, "cache": self.cache.rotation_target}
        self.rotator = SecretRotator(
            f"{name}-rotation",
            context,
            {**self.app_secrets.rotation_targets, **stores},
            function_name=f"{prefix}-secret-rotation",
            region=settings.region,
            account_id=settings.account_id,
            opts=regional,
        )
        self.documents = Documents(
            f"{name}-documents",
            settings.documents,
            region=settings.region,
            dr_region=settings.dr_region,
            key=self.keys.data,
            dr_key=self.keys.dr,
            dr_provider=self.providers.dr,
            protection=protection,
            account_id=settings.account_id,
            log_retention_days=settings.edge.log_retention_days,
            log_bucket=self.edge_logs,
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
            # OBS-4: failed backup and copy jobs go to the critical topic.
            notification_topic_arn=self.alerts.arn_for("critical"),
            maintenance_windows=settings.maintenance_windows,
            opts=regional,
        )

    def _notifications(self, name: str, settings: Settings, regional: pulumi.ResourceOptions) -> None:
        """The critical and warning topics; a second pair in us-east-1 for CloudFront's alarms
        unless the primary region is us-east-1 already."""
        topics = {
            "settings": settings.alarms,
            "account_id": settings.account_id,
            "label": settings.name_prefix,
            "webhooks": {"critical": settings.critical_webhook_url, "warning": settings.warning_webhook_url},
        }
        self.alerts = Notifications(f"{name}-alerts", key=self.keys.alerts, **topics, opts=regional)
        self.global_alerts = self.alerts
        if settings.region != GLOBAL_REGION:
            self.global_alerts = Notifications(
                f"{name}-alerts-global",
                key=self.keys.global_alerts,
                **topics,
                opts=pulumi.ResourceOptions(parent=self, provider=self.providers.global_),
            )

    def _monitoring(self, name: str, settings: Settings, regional: pulumi.ResourceOptions) -> None:
        """Alarms on every documented threshold (OBS-1) and the environment's dashboard (OBS-3)."""
        label = settings.name_prefix
        postgres_id = self.postgres.instance.identifier
        docdb_id = self.document_store.cluster.cluster_identifier
        cache_id = self.cache.replication_group.replication_group_id
        targets = AlarmTargets(
            alb_arn_suffix=self.load_balancer.arn_suffix,
            target_group_arn_suffixes=self.load_balancer.target_group_arn_suffixes,
            # Every colour with instances, live or not: green must be healthy before it takes traffic,
            # and a rollback (weights only) then changes nothing but the listener rule.
            running_colors=[c for c in COLORS if settings.compute.color(c).running],
            asg_names=self.app_tier.group_names,
            pods=self._pods_targets(),
            pod_log_group_name=self.kubernetes.cluster.insights_log_groups[0].name if self.kubernetes else None,
            app_log_group_name=self.app_tier.log_group.name,
            distribution_id=self.cdn.distribution_id,
            web_acls=[
                WebAclTarget(scope, acl.acl.visibility_config.metric_name, is_global=scope == "cloudfront")
                for scope, acl in self.web_acls.items()
            ],
            certificates=[
                CertificateTarget(use, cert.arn, is_global=use == "cdn") for use, cert in self.certificates.items()
            ],
            db_instance_id=postgres_id,
            db_allocated_storage_gb=settings.postgres.allocated_storage_gb,
            db_storage_autoscales=settings.postgres.max_allocated_storage_gb > settings.postgres.allocated_storage_gb,
            # The log groups RDS and DocumentDB export to (created, encrypted, by their components).
            db_log_group_name=pulumi.Output.concat("/aws/rds/instance/", postgres_id, "/postgresql"),
            docdb_cluster_id=docdb_id,
            docdb_profiler_log_group_name=pulumi.Output.concat("/aws/docdb/", docdb_id, "/profiler"),
            # Member clusters of a replication group are named <group id>-001, -002, … by ElastiCache.
            cache_node_ids=[pulumi.Output.concat(cache_id, f"-{n:03d}") for n in range(1, settings.cache.replicas + 2)],
        )
        self.alarms = Alarms(
            f"{name}-alarms",
            settings.alarms,
            targets,
            label=label,
            region=settings.region,
            topics=self.alerts,
            global_topics=self.global_alerts,
            global_provider=self.providers.global_,
            opts=regional,
        )
        regional_alarms = [a.arn for key, a in self.alarms.alarms.items() if key not in self.alarms.global_keys]
        self.dashboard = Dashboard(
            f"{name}-dashboard",
            targets,
            settings.alarms.thresholds,
            label=label,
            region=settings.region,
            alarm_arns=regional_alarms,
            opts=regional,
        )
