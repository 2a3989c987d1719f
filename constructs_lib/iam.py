"""Roles whose permissions live in a customer managed policy rather than an inline one, the
service-linked role the application servers' keys name, the application roles' permissions boundary and
the break-glass role."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from constructs_lib.acknowledgements import acknowledge, skip_checkov
from nag_rules.standards import MAX_OPERATOR_SESSION_SECONDS


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


ADMINISTRATOR_ACCESS = "AdministratorAccess"

ESCALATION_ACTIONS = (
    "iam:Add*", "iam:Attach*", "iam:ChangePassword", "iam:CreateAccessKey", "iam:CreateAccountAlias",
    "iam:CreateGroup", "iam:CreateInstanceProfile", "iam:CreateLoginProfile", "iam:CreateOpenIDConnectProvider",
    "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:CreateSAMLProvider",
    "iam:CreateServiceSpecificCredential", "iam:CreateUser", "iam:CreateVirtualMFADevice", "iam:Deactivate*",
    "iam:Delete*", "iam:Detach*", "iam:Enable*", "iam:Put*", "iam:Remove*", "iam:Reset*", "iam:Set*",
    "iam:Tag*", "iam:Untag*", "iam:Update*", "iam:Upload*",
    "organizations:*", "account:*",
)
"""Identity changes an application role never makes: no new principals, credentials, policies or boundaries.
iam:CreateServiceLinkedRole stays allowed (services enabled at deployment create theirs) and so does
iam:PassRole, which the role's own policies must grant by name."""

CONTROL_ACTIONS = (
    "cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
    "guardduty:Delete*", "guardduty:Disable*", "guardduty:Disassociate*", "guardduty:StopMonitoringMembers",
    "guardduty:UpdateDetector", "guardduty:CreateFilter", "guardduty:UpdateFilter", "guardduty:CreateIPSet",
    "guardduty:UpdateIPSet",
    "securityhub:Disable*", "securityhub:BatchDisableStandards", "securityhub:UpdateStandardsControl",
    "config:Delete*", "config:Stop*", "config:PutConfigurationRecorder",
    "inspector2:Disable", "access-analyzer:Delete*",
    "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation",
    "kms:DeleteImportedKeyMaterial",
    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock", "s3:PutBucketObjectLockConfiguration",
    "logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey",
    "ec2:DeleteFlowLogs", "ec2:CreateVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection",
    "ec2:CreateVpnConnection", "ec2:CreateVpnGateway", "ec2:AttachVpnGateway", "ec2:AttachInternetGateway",
    "ec2:CreateTransitGatewayVpcAttachment", "ec2:AcceptTransitGatewayVpcAttachment",
    "cognito-idp:DeleteUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:SetUserPoolMfaConfig",
)
"""Changes that would switch off or bypass a control of the whitepaper: audit trail, detection, key and bucket
policies, log retention, the network perimeter, the user pools' password and MFA policies."""


class PermissionsBoundary(iam.ManagedPolicy):
    """The permissions boundary of application (service) roles (9.2.3, 9.4.1): whatever the role's own policies
    grant, except ESCALATION_ACTIONS and CONTROL_ACTIONS. A boundary grants nothing by itself, so its
    ``Allow * on *`` is the cap, not a grant; roles keep least privilege through their own policies.

    Apply it with ``apply_permissions_boundary``."""

    def __init__(self, scope: Construct, construct_id: str, **policy_props: Any) -> None:
        policy_props.setdefault("description", "Permissions boundary of the application's service roles: no "
                                               "identity changes, no switching off controls (ISO/IEC 27017 9.2.3)")
        super().__init__(scope, construct_id, **policy_props)
        self.add_statements(
            iam.PolicyStatement(sid="CappedByTheDenialsBelow", actions=["*"], resources=["*"]),
            iam.PolicyStatement(sid="NoIdentityChanges", effect=iam.Effect.DENY, actions=list(ESCALATION_ACTIONS),
                                resources=["*"]),
            iam.PolicyStatement(sid="NoSwitchingOffControls", effect=iam.Effect.DENY,
                                actions=list(CONTROL_ACTIONS), resources=["*"]),
        )
        reason = ("A permissions boundary grants nothing: it caps the roles it bounds, which get only what their own "
                  "least-privilege policies grant; Allow * on * with explicit denials is how a boundary says "
                  "'anything but these'.")
        acknowledge(self, reason, "AwsSolutions-IAM5[Action::*]", "AwsSolutions-IAM5[Resource::*]",
                    "NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess",
                    "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess",
                    "HIPAA.Security-IAMPolicyNoStatementsWithAdminAccess",
                    "HIPAA.Security-IAMPolicyNoStatementsWithFullAccess")
        for check in ("CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"):
            skip_checkov(self, check, reason)


def apply_permissions_boundary(scope: IConstruct, boundary: iam.IManagedPolicy) -> None:
    """Set ``boundary`` as the PermissionsBoundary of every IAM role and user under ``scope``: L2 roles, CfnRoles
    and the plain CfnResource roles of the CDK's custom resource providers alike (CDK's PermissionsBoundary
    aspect matches the CloudFormation type). A boundary in another stack is a cross-stack reference: give each
    stack (and each region) its own. Roles that must not be bounded (BreakGlassRole) clear it themselves."""
    iam.PermissionsBoundary.of(scope).apply(boundary)


def mfa_trust(scope: Construct, *, permission_set: str | None = None,
              identity_account: str | None = None) -> iam.IPrincipal:
    """Who may assume a privileged role: sessions of the IAM Identity Center permission set ``permission_set``
    of this account (Identity Center enforces MFA at sign-in), or MFA-authenticated principals of
    ``identity_account`` whose MFA is less than an hour old. Exactly one of the two."""
    if (permission_set is None) == (identity_account is None):
        raise ValueError(f"{scope.node.path}: give exactly one of permission_set and identity_account")
    stack = cdk.Stack.of(scope)
    if permission_set is not None:
        return iam.AccountRootPrincipal().with_conditions({"ArnLike": {
            "aws:PrincipalArn": f"arn:{stack.partition}:iam::{stack.account}:role/aws-reserved/"
                                f"sso.amazonaws.com/*AWSReservedSSO_{permission_set}_*"}})
    return iam.AccountPrincipal(identity_account).with_conditions({
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": str(MAX_OPERATOR_SESSION_SECONDS)},
    })


def acknowledge_identity_center_mfa(role: iam.Role, permission_set: str) -> None:
    """Say why a role trusted by an Identity Center permission set shows no MFA condition."""
    acknowledge(
        role.node.default_child,
        f"People sign in through IAM Identity Center, which enforces MFA at sign-in for the {permission_set} "
        "permission set; that organisation setting is outside this template, and federated sessions carry no "
        "aws:MultiFactorAuthPresent key to test.",
        "ISO27017-MfaForHumanRoles",
    )


class HumanRole(ManagedPolicyRole):
    """A role people assume: trusted as ``mfa_trust`` allows (exactly one of ``permission_set`` and
    ``identity_account``), for one hour at most."""

    def __init__(self, scope: Construct, construct_id: str, *, permission_set: str | None = None,
                 identity_account: str | None = None, **role_props: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            assumed_by=mfa_trust(scope, permission_set=permission_set, identity_account=identity_account),
            max_session_duration=cdk.Duration.seconds(MAX_OPERATOR_SESSION_SECONDS),
            **role_props,
        )
        if permission_set is not None:
            acknowledge_identity_center_mfa(self, permission_set)


class BreakGlassRole(HumanRole):
    """Emergency administrator access (9.2.3): AdministratorAccess for one hour, assumable only as
    ``mfa_trust`` allows, and never under a permissions boundary (it must be able to repair the controls
    the boundary protects). Its use shows in CloudTrail as an AssumeRole of this role."""

    def __init__(self, scope: Construct, construct_id: str, *, permission_set: str | None = None,
                 identity_account: str | None = None) -> None:
        super().__init__(
            scope,
            construct_id,
            permission_set=permission_set,
            identity_account=identity_account,
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(ADMINISTRATOR_ACCESS)],
            description="Break-glass administrator: MFA, one hour, emergencies only (ISO/IEC 27017 9.2.3)",
        )
        iam.PermissionsBoundary.of(self).clear()
        reason = ("The break-glass role is the one justified administrator: it repairs what no least-privilege "
                  "role may touch, only in an emergency, with MFA, for one hour, and every use is in CloudTrail.")
        acknowledge(self, reason, f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                                  f"{ADMINISTRATOR_ACCESS}]", "ISO27017-NoWildcardAdminPolicy")
