"""The internet-facing ALB: HTTPS from CloudFront only, blue/green target groups (NET-8, DEP-1/2)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..config import COLORS, Color, TrafficSettings
from ..foundation.protection import Protection
from ..foundation.secure_bucket import SecureBucket
from .certificates import alias_records
from .origin_secret import OriginSecret

# NET-8: TLS 1.3 with 1.2 fallback, forward-secret ciphers only.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# Seed "Load Balancer Configuration": timeout 30 s; least connections → least outstanding requests.
IDLE_TIMEOUT_SECONDS = 30
ROUTING_ALGORITHM = "least_outstanding_requests"
# DEP-2: the load balancer asks the readiness endpoint every 10 seconds; `/ready` turns 503 as
# soon as the app is asked to stop, so the target drains before it exits (`/health`, liveness,
# is the container's own HEALTHCHECK).
HEALTH_CHECK_PATH = "/ready"
HEALTH_CHECK_INTERVAL_SECONDS = 10
# In-flight requests finish within the idle timeout, so deregistration needn't wait longer.
DEREGISTRATION_DELAY_SECONDS = IDLE_TIMEOUT_SECONDS
ACCESS_LOG_PREFIX = "alb"


def target_group_name(prefix: str, color: Color, port: int, *, ip: bool = False) -> str:
    """A new port or target type replaces a target group (AWS can't change either in place) and
    Pulumi creates the replacement before deleting the old one; both in the name keep the two
    from colliding. Names are capped at 32 characters (AWS)."""
    suffix = f"-{color}{'-ip' if ip else ''}-{port}"
    return f"{prefix[: 32 - len(suffix)].rstrip('-')}{suffix}"


class LoadBalancer(pulumi.ComponentResource):
    """An ALB in the public subnets, answering at `hostname` (CloudFront's API origin), behind
    the regional web ACL. Port 80 redirects to 443; on 443, requests carrying the origin secret
    header are forwarded to the blue and green target groups by the weights in `traffic`;
    everything else (anything that didn't come through CloudFront) gets 403."""

    target_groups: dict[Color, aws.lb.TargetGroup]
    target_group_arn_suffixes: dict[Color, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        traffic: TrafficSettings,
        *,
        resource_name: str,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[str]],
        security_group: aws.ec2.SecurityGroup,
        app_port: int,
        hostname: str,
        zone_id: str,
        certificate_arn: pulumi.Input[str],
        web_acl_arn: pulumi.Input[str],
        log_bucket: SecureBucket,
        origin_secret: OriginSecret,
        protection: Protection,
        ip_colors: Sequence[Color] = (),
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:load_balancer:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.alb = aws.lb.LoadBalancer(
            f"{name}-alb",
            # ALB and target group names are capped at 32 characters (AWS).
            name=resource_name[:32],
            load_balancer_type="application",
            internal=False,
            subnets=subnet_ids,
            security_groups=[security_group.id],
            ip_address_type="ipv4",
            idle_timeout=IDLE_TIMEOUT_SECONDS,
            drop_invalid_header_fields=True,
            # CloudFront in front already normalises requests, so the strictest mode costs nothing.
            desync_mitigation_mode="strictest",
            enable_http2=True,
            enable_deletion_protection=protection.enabled,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=log_bucket.bucket_name, prefix=ACCESS_LOG_PREFIX, enabled=True
            ),
            # ELB checks it can write to the bucket when logging is switched on.
            opts=protection.options(self, depends_on=[log_bucket]),
        )

        # Colours on EKS register pod IPs (`ip`); the type can't change in place, so such a group
        # gets its own name (`…-green-ip`) and is created before the instance group is deleted.
        self.target_groups = {
            color: aws.lb.TargetGroup(
                f"{name}-{color}",
                name=target_group_name(resource_name, color, app_port, ip=color in ip_colors),
                vpc_id=vpc_id,
                port=app_port,
                protocol="HTTP",
                target_type="ip" if color in ip_colors else "instance",
                load_balancing_algorithm_type=ROUTING_ALGORITHM,
                deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
                health_check=aws.lb.TargetGroupHealthCheckArgs(
                    enabled=True,
                    path=HEALTH_CHECK_PATH,
                    protocol="HTTP",
                    port="traffic-port",
                    interval=HEALTH_CHECK_INTERVAL_SECONDS,
                    timeout=5,
                    healthy_threshold=2,
                    unhealthy_threshold=3,
                    matcher="200",
                ),
                opts=child,
            )
            for color in COLORS
        }

        self.http_listener = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            opts=child,
        )
        self.https_listener = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=certificate_arn,
            # Fail closed: only requests that prove they came through CloudFront are forwarded.
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="fixed-response",
                    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                        content_type="text/plain", message_body="Forbidden", status_code="403"
                    ),
                )
            ],
            opts=child,
        )
        # DEP-1: the weights are the only thing a canary step or a rollback changes, so
        # `pulumi up` after a traffic change updates this one rule in place, in seconds.
        self.forward_rule = aws.lb.ListenerRule(
            f"{name}-forward",
            listener_arn=self.https_listener.arn,
            priority=1,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                        http_header_name=origin_secret.header_name, values=origin_secret.accepted
                    )
                )
            ],
            actions=[
                aws.lb.ListenerRuleActionArgs(
                    type="forward",
                    forward=aws.lb.ListenerRuleActionForwardArgs(
                        target_groups=[
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                                arn=self.target_groups[color].arn, weight=traffic.weight(color)
                            )
                            for color in COLORS
                        ]
                    ),
                )
            ],
            opts=child,
        )

        self.web_acl_association = aws.wafv2.WebAclAssociation(
            f"{name}-waf", resource_arn=self.alb.arn, web_acl_arn=web_acl_arn, opts=child
        )
        self.records = alias_records(
            f"{name}-dns",
            zone_id,
            hostname,
            self.alb.dns_name,
            self.alb.zone_id,
            parent=self,
            evaluate_target_health=True,
        )

        self.arn = self.alb.arn
        self.arn_suffix = self.alb.arn_suffix
        self.dns_name = self.alb.dns_name
        self.zone_id = self.alb.zone_id
        self.target_group_arn_suffixes = {color: tg.arn_suffix for color, tg in self.target_groups.items()}
        self.register_outputs(
            {
                "arn": self.arn,
                "arn_suffix": self.arn_suffix,
                "dns_name": self.dns_name,
                "target_group_arn_suffixes": self.target_group_arn_suffixes,
            }
        )
