"""L3 constructs carrying the whitepaper's secure defaults. They never read context or environment."""

from constructs_lib.acknowledgements import acknowledge, skip_checkov
from constructs_lib.buckets import (
    AccessLogsBucket,
    ClassifiedBucket,
    EdgeLogsBucket,
    LoadBalancerLogsBucket,
    LogArchiveBucket,
)
from constructs_lib.data_classification import TAG_KEY, DataClass, classify
from constructs_lib.keys import DataClassKey, DataClassKeys
from constructs_lib.edge import EdgeDistribution, PublicLoadBalancer, WebApplicationFirewall
from constructs_lib.log_group import RetainedLogGroup
from constructs_lib.iam import AutoScalingServiceRole, ManagedPolicyRole
from constructs_lib.network import HardenedVpc, ManagementVpc, ServiceVpc
from constructs_lib.notifications import NotificationTopic
from constructs_lib.operations import OperatorRole, SessionManagerLogging
from constructs_lib.servers import ApplicationServers

__all__ = [
    "AccessLogsBucket",
    "ApplicationServers",
    "AutoScalingServiceRole",
    "HardenedVpc",
    "LoadBalancerLogsBucket",
    "ManagedPolicyRole",
    "NotificationTopic",
    "ManagementVpc",
    "OperatorRole",
    "PublicLoadBalancer",
    "ServiceVpc",
    "SessionManagerLogging",
    "WebApplicationFirewall",
    "ClassifiedBucket",
    "DataClass",
    "DataClassKey",
    "DataClassKeys",
    "EdgeDistribution",
    "EdgeLogsBucket",
    "LogArchiveBucket",
    "RetainedLogGroup",
    "TAG_KEY",
    "acknowledge",
    "classify",
    "skip_checkov",
]
