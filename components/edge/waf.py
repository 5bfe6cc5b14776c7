"""Web ACLs for CloudFront and the ALB: AWS managed rules plus a per-client rate limit (NET-1, NET-2)."""

from __future__ import annotations

from typing import Any, Literal

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
# The Common Rule Set blocks bodies over 8 KB (SizeRestrictions_BODY); the API takes larger ERP
# uploads. That rule only counts (and labels), and BODY_SIZE_RULE blocks what it labels outside
# the API (AWS WAF guide: aws-managed-rule-groups-baseline, "Core rule set"; label match).
COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet"
BODY_SIZE_RULE = "SizeRestrictions_BODY"
BODY_SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
LARGE_BODY_RULE = "block-large-bodies-outside-api"
API_PREFIX = "/api/"
# WAF only delivers to CloudWatch log groups whose names start with this (AWS constraint).
LOG_GROUP_PREFIX = "aws-waf-logs-"


def _visibility(metric: str) -> dict[str, Any]:
    return dict(cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True)


def _single_forwarded_address() -> aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs:
    """Requests whose X-Forwarded-For has one entry: no comma in it."""
    w = aws.wafv2
    return w.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs(
        not_statement=w.WebAclRuleStatementRateBasedStatementScopeDownStatementNotStatementArgs(
            statement=w.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs(
                byte_match_statement=w.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementArgs(
                    positional_constraint="CONTAINS",
                    search_string=",",
                    field_to_match=w.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementFieldToMatchArgs(
                        single_header=w.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementFieldToMatchSingleHeaderArgs(
                            name="x-forwarded-for"
                        )
                    ),
                    text_transformations=[
                        w.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementTextTransformationArgs(
                            priority=0, type="NONE"
                        )
                    ],
                )
            )
        )
    )


def _rate_rule(
    settings: EdgeSettings, scope: Literal["CLOUDFRONT", "REGIONAL"], metric: str
) -> aws.wafv2.WebAclRuleArgs:
    """CloudFront counts per viewer address. The ALB sees only CloudFront's addresses, so it
    counts per the X-Forwarded-For address CloudFront wrote, and only where that is the header's
    one entry: a viewer's own X-Forwarded-For comes first and CloudFront appends the real address
    after it (CloudFront guide: "Client IP addresses"), while WAF reads only the first address
    (ForwardedIPConfig). Requests carrying a forged entry are left to CloudFront's rule, so no
    viewer can spend another address's allowance or get it blocked."""
    behind_cloudfront = scope == "REGIONAL"
    return aws.wafv2.WebAclRuleArgs(
        name=RATE_RULE,
        priority=0,
        action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                limit=settings.waf_rate_limit,
                evaluation_window_sec=settings.rate_limit_window_seconds,
                aggregate_key_type="FORWARDED_IP" if behind_cloudfront else "IP",
                forwarded_ip_config=aws.wafv2.WebAclRuleStatementRateBasedStatementForwardedIpConfigArgs(
                    header_name="X-Forwarded-For", fallback_behavior="MATCH"
                )
                if behind_cloudfront
                else None,
                scope_down_statement=_single_forwarded_address() if behind_cloudfront else None,
            )
        ),
        visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_visibility(f"{metric}RateLimit")),
    )


def _managed_rule(group: str, priority: int, metric: str) -> aws.wafv2.WebAclRuleArgs:
    overrides = None
    if group == COMMON_RULE_SET:
        overrides = [
            aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                name=BODY_SIZE_RULE,
                action_to_use=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                    count=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
                ),
            )
        ]
    return aws.wafv2.WebAclRuleArgs(
        name=group,
        priority=priority,
        override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                vendor_name="AWS", name=group, rule_action_overrides=overrides
            )
        ),
        visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_visibility(f"{metric}{group}")),
    )


def _large_body_rule(priority: int, metric: str) -> aws.wafv2.WebAclRuleArgs:
    """Blocks what SizeRestrictions_BODY labelled, except under the API prefix."""
    api_path = aws.wafv2.WebAclRuleStatementArgs(
        byte_match_statement=aws.wafv2.WebAclRuleStatementByteMatchStatementArgs(
            positional_constraint="STARTS_WITH",
            search_string=API_PREFIX,
            field_to_match=aws.wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs(
                uri_path=aws.wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchUriPathArgs()
            ),
            text_transformations=[
                aws.wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs(priority=0, type="NONE")
            ],
        )
    )
    return aws.wafv2.WebAclRuleArgs(
        name=LARGE_BODY_RULE,
        priority=priority,
        action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            and_statement=aws.wafv2.WebAclRuleStatementAndStatementArgs(
                statements=[
                    aws.wafv2.WebAclRuleStatementArgs(
                        label_match_statement=aws.wafv2.WebAclRuleStatementLabelMatchStatementArgs(
                            scope="LABEL", key=BODY_SIZE_LABEL
                        )
                    ),
                    aws.wafv2.WebAclRuleStatementArgs(
                        not_statement=aws.wafv2.WebAclRuleStatementNotStatementArgs(statement=api_path)
                    ),
                ]
            )
        ),
        visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_visibility(f"{metric}LargeBody")),
    )


class WebAcl(pulumi.ComponentResource):
    """One web ACL. `CLOUDFRONT` scope must live in us-east-1 (pass that provider in `opts`).

    The rate rule counts requests per client IP over `edge.rate_limit_window_seconds`
    (`_rate_rule`); the CloudFront ACL is the authoritative limit.
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
            _rate_rule(settings, scope, metric),
            *(_managed_rule(group, priority, metric) for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1)),
            _large_body_rule(len(MANAGED_RULE_GROUPS) + 1, metric),
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
