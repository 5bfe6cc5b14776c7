"""Foundation tier: providers, KMS keys, the VPC, security groups, log groups, secure buckets and
the prod-protection decision every other tier receives."""

from .keys import Keys
from .log_groups import encrypted_log_group
from .network import Network
from .protection import BACKUP_TAG, Protection
from .providers import GLOBAL_REGION, Providers, make_providers
from .secure_bucket import SecureBucket, access_log_bucket, server_access_logs_statement
from .security_groups import SecurityGroups

__all__ = [
    "BACKUP_TAG",
    "GLOBAL_REGION",
    "Keys",
    "Network",
    "Protection",
    "Providers",
    "SecureBucket",
    "SecurityGroups",
    "access_log_bucket",
    "encrypted_log_group",
    "make_providers",
    "server_access_logs_statement",
]
