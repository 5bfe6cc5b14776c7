"""Classic Load Balancer policies: every listener terminates TLS.

A Classic Load Balancer cannot redirect HTTP to HTTPS, so an HTTP or TCP listener serves the
application in plaintext; newer programs use an Application Load Balancer (`lb.LoadBalancer`).
"""

from __future__ import annotations

from . import _types as t
from ._helpers import get, items, number, text
from ._policy import HIGH, resource_policy


def _listeners(args, _cfg):
    for listener in items(get(args.props, "listeners")):
        protocol = text(get(listener, "lbProtocol")).upper()
        if protocol not in ("HTTPS", "SSL"):
            port = number(get(listener, "lbPort"))
            yield f"listener on port {int(port or 0)} uses {protocol or 'no protocol'}; only HTTPS or SSL may be used"


POLICIES = [
    resource_policy(
        "elb-loadbalancer-tls-listeners",
        types=t.CLASSIC_LB,
        description="Every Classic Load Balancer listener is HTTPS or SSL with a certificate (it cannot redirect "
        "HTTP), so no client talks to the application in plaintext.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Set aws.elb.LoadBalancer(subnets=[...], listeners=[{'lb_port': 443, 'lb_protocol': 'https', "
        "'instance_port': 8443, 'instance_protocol': 'https', 'ssl_certificate_id': cert.arn}]), or move to "
        "aws.lb.LoadBalancer with an HTTP listener that redirects to HTTPS.",
        check=_listeners,
    ),
]
