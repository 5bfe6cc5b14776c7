"""OBS-1: an alarm on every documented threshold, built by one factory from typed targets."""

from .environment_alarms import Alarms
from .factory import AlarmFactory, Metric
from .targets import AlarmTargets, CertificateTarget, PodsTarget, WebAclTarget

__all__ = ["AlarmFactory", "AlarmTargets", "Alarms", "CertificateTarget", "Metric", "PodsTarget", "WebAclTarget"]
