"""The encrypted topic that tells the security contacts about incidents and their signs (16.1.1, 16.1.2)."""

from __future__ import annotations

from typing import Sequence

from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from constructs_lib.data_classification import classify
from constructs_lib.keys import DataClassKey


class NotificationTopic(sns.Topic):
    """An SNS topic encrypted with ``key``, reachable only over TLS, with an e-mail subscription
    per address."""

    def __init__(self, scope: Construct, construct_id: str, *, key: DataClassKey, emails: Sequence[str]) -> None:
        super().__init__(scope, construct_id, master_key=key, enforce_ssl=True)
        self.key = key
        for address in emails:
            self.add_subscription(subscriptions.EmailSubscription(address))
        classify(self, key.data_class)
