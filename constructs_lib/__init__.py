"""L3 constructs carrying the whitepaper's secure defaults. They never read context or environment."""

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.buckets import AccessLogsBucket, ClassifiedBucket, LogArchiveBucket
from constructs_lib.data_classification import TAG_KEY, DataClass, classify
from constructs_lib.keys import DataClassKey, DataClassKeys
from constructs_lib.log_group import RetainedLogGroup

__all__ = [
    "AccessLogsBucket",
    "ClassifiedBucket",
    "DataClass",
    "DataClassKey",
    "DataClassKeys",
    "LogArchiveBucket",
    "RetainedLogGroup",
    "TAG_KEY",
    "acknowledge",
    "classify",
]
