"""The AWS providers the environment deploys through, each stamping the DEP-3 tags."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..config import Settings

# CloudFront only accepts ACM certificates and CLOUDFRONT-scope web ACLs from us-east-1.
GLOBAL_REGION = "us-east-1"


@dataclass(frozen=True)
class Providers:
    primary: aws.Provider
    dr: aws.Provider
    global_: aws.Provider


def make_providers(name: str, settings: Settings, parent: pulumi.Resource) -> Providers:
    def provider(suffix: str, region: str) -> aws.Provider:
        return aws.Provider(
            f"{name}-{suffix}",
            region=region,
            # Refuse to touch any account but the stack's: a prod stack can't land in staging's.
            allowed_account_ids=[settings.account_id],
            default_tags=aws.ProviderDefaultTagsArgs(tags=settings.tags),
            opts=pulumi.ResourceOptions(parent=parent),
        )

    return Providers(
        primary=provider("aws", settings.region),
        dr=provider("aws-dr", settings.dr_region),
        global_=provider("aws-global", GLOBAL_REGION),
    )
