"""CloudFront: static assets from a private bucket, `/api/*` from the ALB (NET-1, NET-4, NET-8)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..config import EdgeSettings
from ..foundation.protection import Protection
from ..foundation.secure_bucket import SecureBucket
from .certificates import alias_records
from .origin_secret import OriginSecret

# AWS managed policies (fixed ids, the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
API_PATH = "/api/*"
ASSETS_ORIGIN = "assets"
API_ORIGIN = "api"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
MAX_TTL_SECONDS = 365 * 24 * 3600
HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 3600
# Seed: load balancer timeout 30 s; CloudFront waits as long for the API before giving up.
API_READ_TIMEOUT_SECONDS = 30
ACCESS_LOG_PREFIX = "cloudfront/"


class Cdn(pulumi.ComponentResource):
    """The site's one public entry point. Static files come from a private, KMS-encrypted
    bucket that only this distribution can read (Origin Access Control); `/api/*` goes to the
    ALB over HTTPS with the origin secret header, uncached, with the viewer's headers (except
    Host, so the ALB's certificate name matches)."""

    def __init__(
        self,
        name: str,
        settings: EdgeSettings,
        *,
        domain: str,
        zone_id: str,
        origin_hostname: str,
        certificate_arn: pulumi.Input[str],
        web_acl_arn: pulumi.Input[str],
        origin_secret: OriginSecret,
        assets_key: aws.kms.Key,
        log_bucket: SecureBucket,
        protection: Protection,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:cdn:Cdn", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.assets = SecureBucket(
            f"{name}-assets",
            assets_key,
            log_bucket=log_bucket,
            defer_policy=True,
            protection=protection,
            opts=child,
        )
        self.origin_access_control = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            name=name,
            description="CloudFront signs every request to the assets bucket",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        self.static_cache_policy = aws.cloudfront.CachePolicy(
            f"{name}-static",
            name=f"{name}-static",
            comment="Static assets: long TTLs (seed cache strategy: static content 1 week)",
            min_ttl=1,
            default_ttl=settings.static_ttl_seconds,
            max_ttl=MAX_TTL_SECONDS,
            parameters_in_cache_key_and_forwarded_to_origin=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs(
                cookies_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs(
                    cookie_behavior="none"
                ),
                headers_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs(
                    header_behavior="none"
                ),
                query_strings_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs(
                    query_string_behavior="none"
                ),
                enable_accept_encoding_gzip=True,
                enable_accept_encoding_brotli=True,
            ),
            opts=child,
        )
        self.headers_policy = self._response_headers(name, [f"https://{domain}", *settings.cors_allowed_origins])

        self.distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            enabled=True,
            comment=f"{domain}: static assets and {API_PATH}",
            aliases=[domain],
            default_root_object="index.html",
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=settings.price_class,
            web_acl_id=web_acl_arn,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ASSETS_ORIGIN,
                    domain_name=self.assets.bucket.bucket_regional_domain_name,
                    origin_access_control_id=self.origin_access_control.id,
                ),
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=API_ORIGIN,
                    domain_name=origin_hostname,
                    custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                        http_port=80,
                        https_port=443,
                        origin_protocol_policy="https-only",
                        origin_ssl_protocols=["TLSv1.2"],
                        origin_read_timeout=API_READ_TIMEOUT_SECONDS,
                    ),
                    custom_headers=[
                        aws.cloudfront.DistributionOriginCustomHeaderArgs(
                            name=origin_secret.header_name, value=origin_secret.value
                        )
                    ],
                ),
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=ASSETS_ORIGIN,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=self.static_cache_policy.id,
                response_headers_policy_id=self.headers_policy.id,
                compress=True,
            ),
            ordered_cache_behaviors=[
                aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                    path_pattern=API_PATH,
                    target_origin_id=API_ORIGIN,
                    viewer_protocol_policy="redirect-to-https",
                    allowed_methods=ALL_METHODS,
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_DISABLED,
                    origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy_id=self.headers_policy.id,
                    compress=True,
                )
            ],
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            ),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            # Standard logging into the edge log bucket (written through the bucket's ACL).
            logging_config=aws.cloudfront.DistributionLoggingConfigArgs(
                bucket=log_bucket.bucket.bucket_domain_name, prefix=ACCESS_LOG_PREFIX, include_cookies=False
            ),
            # Standard logging needs the bucket's ACLs enabled (its ownership controls) first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_bucket]),
        )
        # OAC: only this distribution may read the assets, and only objects, never listings.
        self.assets.attach_policy(
            [
                {
                    "Sid": "CloudFrontReadsAssets",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(self.assets.arn, "/*"),
                    "Condition": {"StringEquals": {"AWS:SourceArn": self.distribution.arn}},
                }
            ]
        )

        self.records = alias_records(
            f"{name}-dns",
            zone_id,
            domain,
            self.distribution.domain_name,
            self.distribution.hosted_zone_id,
            parent=self,
            evaluate_target_health=False,
            ipv6=True,
        )

        self.distribution_id = self.distribution.id
        self.domain_name = self.distribution.domain_name
        self.hosted_zone_id = self.distribution.hosted_zone_id
        self.register_outputs(
            {
                "distribution_id": self.distribution_id,
                "domain_name": self.domain_name,
                "assets_bucket": self.assets.bucket_name,
            }
        )

    def _response_headers(self, name: str, cors_origins: list[str]) -> aws.cloudfront.ResponseHeadersPolicy:
        """HSTS and the usual browser hardening on every response; CORS for known origins only."""
        return aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-headers",
            name=f"{name}-headers",
            comment="HSTS, browser hardening, CORS for the configured origins (NET-4, NET-8)",
            cors_config=aws.cloudfront.ResponseHeadersPolicyCorsConfigArgs(
                access_control_allow_origins=aws.cloudfront.ResponseHeadersPolicyCorsConfigAccessControlAllowOriginsArgs(
                    items=cors_origins
                ),
                access_control_allow_methods=aws.cloudfront.ResponseHeadersPolicyCorsConfigAccessControlAllowMethodsArgs(
                    items=ALL_METHODS
                ),
                access_control_allow_headers=aws.cloudfront.ResponseHeadersPolicyCorsConfigAccessControlAllowHeadersArgs(
                    items=["Authorization", "Content-Type", "X-Requested-With"]
                ),
                access_control_allow_credentials=True,
                access_control_max_age_sec=600,
                origin_override=True,
            ),
            security_headers_config=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs(
                # No `preload`: that would commit the whole parent domain to HTTPS in browsers.
                strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                    access_control_max_age_sec=HSTS_MAX_AGE_SECONDS, include_subdomains=True, override=True
                ),
                content_type_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
                    override=True
                ),
                frame_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                    frame_option="DENY", override=True
                ),
                referrer_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
