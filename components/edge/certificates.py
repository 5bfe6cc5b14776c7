"""ACM certificates validated through Route 53, and alias records (NET-8)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


class Certificate(pulumi.ComponentResource):
    """A DNS-validated ACM certificate for one host name. `arn` resolves only once ACM has
    issued it, so a listener or distribution using it never waits on a pending certificate.
    Pass `opts.provider` for a us-east-1 certificate (CloudFront only accepts those)."""

    def __init__(self, name: str, domain: str, zone_id: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:dns:Certificate", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.certificate = aws.acm.Certificate(
            f"{name}-cert",
            domain_name=domain,
            validation_method="DNS",
            opts=child,
        )
        option = self.certificate.domain_validation_options[0]
        self.validation_record = aws.route53.Record(
            f"{name}-validation-record",
            zone_id=zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            # ACM asks for the same record again when a certificate is recreated for the name.
            allow_overwrite=True,
            opts=child,
        )
        self.validation = aws.acm.CertificateValidation(
            f"{name}-validation",
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=[self.validation_record.fqdn],
            opts=child,
        )
        self.arn = self.validation.certificate_arn
        self.register_outputs({"arn": self.arn})


def alias_records(
    name: str,
    zone_id: str,
    hostname: str,
    target_dns_name: pulumi.Input[str],
    target_zone_id: pulumi.Input[str],
    parent: pulumi.Resource,
    *,
    evaluate_target_health: bool,
    ipv6: bool = False,
) -> list[aws.route53.Record]:
    """A (and with `ipv6`, AAAA) alias records pointing `hostname` at a load balancer or
    distribution; alias queries are free and follow the target's address changes.

    `evaluate_target_health` must be False for a CloudFront distribution: Route 53 doesn't
    allow it there (AWS: Route53 API AliasTarget, EvaluateTargetHealth)."""
    return [
        aws.route53.Record(
            f"{name}-{record_type.lower()}",
            zone_id=zone_id,
            name=hostname,
            type=record_type,
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=target_dns_name, zone_id=target_zone_id, evaluate_target_health=evaluate_target_health
                )
            ],
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for record_type in (["A", "AAAA"] if ipv6 else ["A"])
    ]
