"""The EKS platform: the cluster, the application's workload on it, and the controller that
registers its pods into the ALB's target groups."""

from typing import NamedTuple

from .cluster import Cluster
from .load_balancer_controller import LoadBalancerController
from .workload import Workload


class EksPlatform(NamedTuple):
    cluster: Cluster
    workload: Workload
    controller: LoadBalancerController


__all__ = ["Cluster", "EksPlatform", "LoadBalancerController", "Workload"]
