"""Roles whose permissions live in a customer managed policy rather than an inline one, and the
service-linked role the application servers' keys name."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct


class ManagedPolicyRole(iam.Role):
    """An IAM role whose grants go to a customer managed policy attached to it, not to an inline
    policy: the permissions are a named, reviewable object (NIST 800-53 AC-6, IAMNoInlinePolicy)."""

    def __init__(self, scope: Construct, construct_id: str, **role_props: Any) -> None:
        super().__init__(scope, construct_id, **role_props)
        self._permissions: iam.ManagedPolicy | None = None

    @property
    def permissions(self) -> iam.ManagedPolicy:
        """The policy, created with the first statement (an empty managed policy is invalid)."""
        if self._permissions is None:
            self._permissions = iam.ManagedPolicy(self, "Permissions", roles=[self],
                                                  description=f"Permissions of {self.node.path}")
        return self._permissions

    @jsii.member(jsii_name="addToPrincipalPolicy")
    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        self.permissions.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self.permissions)


class AutoScalingServiceRole(Construct):
    """EC2 Auto Scaling's service-linked role, with this service's own suffix.

    Key policies that let Auto Scaling use a key must name this role, and KMS refuses a policy that
    names a role which does not exist yet; the account's default AWSServiceRoleForAutoScaling only
    appears once Auto Scaling is first used. So the app creates its own, before the keys that name it.
    """

    def __init__(self, scope: Construct, construct_id: str, *, suffix: str) -> None:
        super().__init__(scope, construct_id)
        self.resource = iam.CfnServiceLinkedRole(
            self, "Resource", aws_service_name="autoscaling.amazonaws.com", custom_suffix=suffix,
            description="EC2 Auto Scaling for the application servers (encrypted volumes and notifications)",
        )
        stack = cdk.Stack.of(self)
        self.role_arn = (f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/"
                         f"autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_{suffix}")
