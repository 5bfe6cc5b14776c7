"""Classic Load Balancer policies: TLS on every listener."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/1"
HTTPS = {
    "lb_port": 443,
    "lb_protocol": "https",
    "instance_port": 8443,
    "instance_protocol": "https",
    "ssl_certificate_id": CERT,
}


def _elb(*listeners):
    return lambda: aws.elb.LoadBalancer("legacy", subnets=["subnet-a", "subnet-b"], listeners=list(listeners))


CASES = [
    Case(
        "elb-loadbalancer-tls-listeners",
        _elb(HTTPS, {"lb_port": 80, "lb_protocol": "http", "instance_port": 8080, "instance_protocol": "http"}),
        _elb(HTTPS),
        "port 80 uses HTTP",
    ),
    Case(
        "elb-loadbalancer-tls-listeners",
        _elb({"lb_port": 5432, "lb_protocol": "tcp", "instance_port": 5432, "instance_protocol": "tcp"}),
        _elb(
            {
                "lb_port": 5432,
                "lb_protocol": "ssl",
                "instance_port": 5432,
                "instance_protocol": "ssl",
                "ssl_certificate_id": CERT,
            }
        ),
        "uses TCP",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
