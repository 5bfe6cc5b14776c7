"""Edge tier: certificates and DNS, the ALB, WAF web ACLs, CloudFront, edge access logs and the
origin secret that ties CloudFront to the ALB."""

from .access_logs import edge_log_bucket
from .cdn import Cdn
from .certificates import Certificate, alias_records
from .load_balancer import LoadBalancer
from .origin_secret import OriginSecret
from .waf import WebAcl

__all__ = ["Cdn", "Certificate", "LoadBalancer", "OriginSecret", "WebAcl", "alias_records", "edge_log_bucket"]
