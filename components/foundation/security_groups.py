"""Security groups per tier, each admitting only the tier in front of it (NET-7, HOST-1)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

# Service ports of the data stores (DB-4: reachable only from the application tier).
DATA_PORTS = {"postgres": 5432, "docdb": 27017, "redis": 6379}
HTTPS = 443


class SecurityGroups(pulumi.ComponentResource):
    """alb ← CloudFront only; app ← alb only; postgres/docdb/redis ← app only. No SSH anywhere,
    no ingress from 0.0.0.0/0 or ::/0; the only open egress is the app tier's HTTPS to AWS APIs
    and the third-party services the application calls."""

    alb: aws.ec2.SecurityGroup
    app: aws.ec2.SecurityGroup
    data: dict[str, aws.ec2.SecurityGroup]

    def __init__(
        self,
        name: str,
        vpc_id: pulumi.Input[str],
        app_port: int,
        cloudfront_prefix_list_id: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:network:SecurityGroups", name, None, opts)
        self._name = name

        def group(tier: str, description: str) -> aws.ec2.SecurityGroup:
            # Without inline rules the provider also removes AWS's default allow-all egress.
            return aws.ec2.SecurityGroup(
                f"{name}-{tier}",
                vpc_id=vpc_id,
                description=description,
                tags={"Name": f"{name}-{tier}"},
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.alb = group("alb", "Load balancer: HTTPS from CloudFront origin-facing addresses only")
        self.app = group("app", "Application instances: app port from the load balancer only")
        self.data = {
            store: group(store, f"{store}: port {port} from the application tier only")
            for store, port in DATA_PORTS.items()
        }

        self._ingress("alb-https-from-cloudfront", self.alb, HTTPS, prefix_list_id=cloudfront_prefix_list_id)
        self._egress("alb-to-app", self.alb, app_port, referenced=self.app)
        self._ingress("app-from-alb", self.app, app_port, referenced=self.alb)
        self._egress("app-https-out", self.app, HTTPS, cidr_ipv4="0.0.0.0/0")
        for store, port in DATA_PORTS.items():
            self._egress(f"app-to-{store}", self.app, port, referenced=self.data[store])
            self._ingress(f"{store}-from-app", self.data[store], port, referenced=self.app)

        self.register_outputs(
            {"alb_id": self.alb.id, "app_id": self.app.id, **{f"{s}_id": g.id for s, g in self.data.items()}}
        )

    def _rule(self, kind, label, group, port, referenced=None, **source):
        rule = aws.vpc.SecurityGroupIngressRule if kind == "ingress" else aws.vpc.SecurityGroupEgressRule
        return rule(
            f"{self._name}-{label}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=referenced.id if referenced else None,
            description=label.replace("-", " "),
            opts=pulumi.ResourceOptions(parent=self),
            **source,
        )

    def _ingress(self, label, group, port, referenced=None, **source):
        return self._rule("ingress", label, group, port, referenced, **source)

    def _egress(self, label, group, port, referenced=None, **source):
        return self._rule("egress", label, group, port, referenced, **source)
