"""Web ACLs for CloudFront and the ALB: AWS managed rules plus a per-client rate limit (NET-1, NET-2)."""

from __future__ import annotations

from typing import Literal, TypedDict

import pulumi
import pulumi_aws as aws

from ..config import EdgeSettings
from ..foundation.log_groups import encrypted_log_group
from .origin_secret import HEADER_NAME

# Priority order: cheap reputation and rate checks first, body inspection last.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
RATE_RULE = "rate-limit-per-client-ip"
# WAF only delivers to CloudWatch log groups whose names start with this (AWS constraint).
LOG_GROUP_PREFIX = "aws-waf-logs-"


class _Visibility(TypedDict):
    cloudwatch_metrics_enabled: bool
    metric_name: str
    sampled_requests_enabled: bool


def _visibility(metric: str) -> _Visibility:
    return _Visibility(cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True)


class WebAcl(pulumi.ComponentResource):
    """One web ACL. `CLOUDFRONT` scope must live in us-east-1 (pass that provider in `opts`).

    The rate rule counts requests per client IP over `edge.rate_limit_window_seconds`. On
    CloudFront that is the viewer's address. Behind CloudFront the ALB only ever sees
    CloudFront's addresses, so there the rule counts the client address CloudFront puts in
    X-Forwarded-For; the CloudFront ACL stays the authoritative limit, as a viewer could forge
    an earlier X-Forwarded-For entry.
    """

    def __init__(
        self,
        name: str,
        scope: Literal["CLOUDFRONT", "REGIONAL"],
        settings: EdgeSettings,
        *,
        region: str,
        account_id: str,
        logs_key: aws.kms.Key,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:waf:WebAcl", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        metric = name.replace("-", "")

        rules = [
            aws.wafv2.WebAclRuleArgs(
                name=RATE_RULE,
                priority=0,
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        limit=settings.waf_rate_limit,
                        evaluation_window_sec=settings.rate_limit_window_seconds,
                        aggregate_key_type="IP" if scope == "CLOUDFRONT" else "FORWARDED_IP",
                        forwarded_ip_config=None
                        if scope == "CLOUDFRONT"
                        else aws.wafv2.WebAclRuleStatementRateBasedStatementForwardedIpConfigArgs(
                            header_name="X-Forwarded-For", fallback_behavior="MATCH"
                        ),
                    )
                ),
                visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_visibility(f"{metric}RateLimit")),
            ),
            *(
                aws.wafv2.WebAclRuleArgs(
                    name=group,
                    priority=priority,
                    override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                        none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
                    ),
                    statement=aws.wafv2.WebAclRuleStatementArgs(
                        managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                            vendor_name="AWS", name=group
                        )
                    ),
                    visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_visibility(f"{metric}{group}")),
                )
                for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1)
            ),
        ]
        self.acl = aws.wafv2.WebAcl(
            f"{name}-acl",
            name=name,
            scope=scope,
            description=f"{scope.lower()} web ACL: AWS managed rules and a per-client-IP rate limit",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=rules,
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(**_visibility(metric)),
            opts=child,
        )

        self.log_group = encrypted_log_group(
            f"{name}-logs", f"{LOG_GROUP_PREFIX}{name}", settings.log_retention_days, logs_key, parent=self
        )
        # Vended-log delivery writes into the group only with this resource policy in place.
        self.log_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-log-delivery",
            policy_name=f"{name}-waf-log-delivery",
            policy_document=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "WafDeliversLogs",
                            "Effect": "Allow",
                            "Principal": {"Service": "delivery.logs.amazonaws.com"},
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": pulumi.Output.concat(self.log_group.arn, ":*"),
                            "Condition": {
                                "StringEquals": {"aws:SourceAccount": account_id},
                                "ArnLike": {"aws:SourceArn": f"arn:aws:logs:{region}:{account_id}:*"},
                            },
                        }
                    ],
                }
            ),
            opts=child,
        )
        self.logging = aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=self.acl.arn,
            log_destination_configs=[self.log_group.arn],
            # Never keep credentials that pass through the edge in the logs, the origin secret
            # CloudFront adds on its way to the ALB included (SEC-1).
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in ("authorization", "cookie", HEADER_NAME.lower())
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_policy]),
        )

        self.arn = self.acl.arn
        self.acl_name = self.acl.name
        self.register_outputs({"arn": self.arn, "name": self.acl_name, "log_group": self.log_group.name})
