"""Observability tier: alert topics, alarms on every documented threshold, the dashboard."""

from .alarms import Alarms, AlarmTargets, CertificateTarget, PodsTarget, WebAclTarget
from .dashboard import Dashboard
from .notifications import Notifications

__all__ = ["AlarmTargets", "Alarms", "CertificateTarget", "Dashboard", "Notifications", "PodsTarget", "WebAclTarget"]
