"""Load balancer deletion protection.

DB-7's accidental-deletion safeguard, extended beyond the data stores it names: deleting the
load balancer takes the service offline and gives it a new DNS name.
Staging relaxes it to advisory (policies/config/staging.json).
"""

from __future__ import annotations

from . import _types as t
from ._helpers import flag, get
from ._policy import MEDIUM, resource_policy


def _deletion_protection(args, _cfg):
    if not flag(get(args.props, "enableDeletionProtection")):
        yield "enableDeletionProtection is not true: one mistaken delete takes the service offline"


POLICIES = [
    resource_policy(
        "lb-loadbalancer-deletion-protection",
        types=t.LOAD_BALANCER,
        description="Production load balancers have deletion protection (DB-7 extended beyond data stores: "
        "deleting one takes the service offline and changes its DNS name).",
        severity=MEDIUM,
        checklist=("DB-7",),
        remediation="Set aws.lb.LoadBalancer(load_balancer_type='application', subnets=[...], "
        "enable_deletion_protection=True).",
        check=_deletion_protection,
    ),
]
