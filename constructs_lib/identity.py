"""Customers' identities (9.2.3, 9.2.4, 9.4.1): administrators in their own user pool, apart from ordinary
users (teachers, students), with longer passwords, required MFA and threat protection."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.data_classification import DataClass, classify
from nag_rules.rules.cognito_admin_pool_stronger import (
    ADMIN_MIN_PASSWORD_LENGTH,
    ADMINISTRATORS,
    AUDIENCE_TAG,
    MAX_TEMPORARY_PASSWORD_DAYS,
    USER_MIN_PASSWORD_LENGTH,
    USERS,
)

MAX_PASSWORD_LENGTH = 99
"""Cognito's longest minimum length."""
ACCESS_TOKEN_HOURS = 1
REFRESH_TOKEN_VALIDITY = {ADMINISTRATORS: cdk.Duration.hours(12), USERS: cdk.Duration.days(30)}


class UserPools(Construct):
    """Two Cognito user pools named ``<name>-administrators`` and ``<name>-users``, tagged UserPoolAudience, each
    with one public (secretless, SRP-only) app client.

    - administrators: passwords of ``admin_password_length`` (>= 16, and never shorter than users'), all
      character classes; MFA required, authenticator app (TOTP) only; Plus plan with threat protection enforced.
    - users: passwords of ``user_password_length`` (>= 10), all character classes; MFA optional (TOTP).

    Both: temporary passwords valid ``temporary_password_days`` (1 to 3), no self sign-up, recovery by verified
    email only, deletion protection, kept when the stack goes, classified as customer data. AWS encrypts user
    pools with keys it owns; Cognito takes a customer key only for custom sender triggers, which are not used.
    """

    def __init__(self, scope: Construct, construct_id: str, *, name: str,
                 admin_password_length: int = ADMIN_MIN_PASSWORD_LENGTH,
                 user_password_length: int = USER_MIN_PASSWORD_LENGTH,
                 temporary_password_days: int = 1) -> None:
        _check_range("user_password_length", user_password_length, USER_MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)
        _check_range("admin_password_length", admin_password_length,
                     max(ADMIN_MIN_PASSWORD_LENGTH, user_password_length), MAX_PASSWORD_LENGTH,
                     f" and at least user_password_length ({user_password_length})")
        _check_range("temporary_password_days", temporary_password_days, 1, MAX_TEMPORARY_PASSWORD_DAYS)
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"UserPools name={name!r}; allowed: a non-empty name for the pools")
        super().__init__(scope, construct_id)
        self.administrators = self._pool(
            "Administrators", f"{name}-{ADMINISTRATORS}", ADMINISTRATORS, admin_password_length,
            temporary_password_days, mfa=cognito.Mfa.REQUIRED, feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            sign_in_aliases=cognito.SignInAliases(email=True),
            standard_attributes=cognito.StandardAttributes(email=cognito.StandardAttribute(required=True,
                                                                                          mutable=True)),
        )
        self.users = self._pool(
            "Users", f"{name}-{USERS}", USERS, user_password_length, temporary_password_days,
            mfa=cognito.Mfa.OPTIONAL, feature_plan=cognito.FeaturePlan.ESSENTIALS,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
        )
        self.administrators_client = self._client(self.administrators, ADMINISTRATORS)
        self.users_client = self._client(self.users, USERS)
        acknowledge(
            self.users,
            "MFA is optional for teachers and students, whose accounts schools create and who often have no "
            "authenticator; customers may require it, and the administrators' pool always does.",
            "AwsSolutions-COG2",
        )
        acknowledge(
            self.users,
            "Threat protection (the Plus plan) is billed per monthly active user, for every student of every "
            "school; it is enforced on the administrators' pool, where privileged access is.",
            "AwsSolutions-COG8",
        )

    def _pool(self, construct_id: str, pool_name: str, audience: str, password_length: int, days: int,
              **props: object) -> cognito.UserPool:
        pool = cognito.UserPool(
            self, construct_id,
            user_pool_name=pool_name,
            self_sign_up_enabled=False,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True, email=False),
            password_policy=cognito.PasswordPolicy(
                min_length=password_length, require_lowercase=True, require_uppercase=True, require_digits=True,
                require_symbols=True, temp_password_validity=cdk.Duration.days(days),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            deletion_protection=True,
            # not KEEP: deletion protection would stop a failed creation's rollback from deleting the pool
            removal_policy=cdk.RemovalPolicy.RETAIN,
            **props,
        )
        cdk.Tags.of(pool).add(AUDIENCE_TAG, audience)
        classify(pool, DataClass.CUSTOMER)
        acknowledge(pool, "Amazon Cognito always encrypts user pools at rest with keys it owns and has no setting "
                          "for a customer managed key; the pool holds sign-in data only, no records of learning.",
                    "ISO27017-DataStoreEncrypted")
        return pool

    def _client(self, pool: cognito.UserPool, audience: str) -> cognito.UserPoolClient:
        return pool.add_client(
            "Client",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            access_token_validity=cdk.Duration.hours(ACCESS_TOKEN_HOURS),
            id_token_validity=cdk.Duration.hours(ACCESS_TOKEN_HOURS),
            refresh_token_validity=REFRESH_TOKEN_VALIDITY[audience],
        )


def _check_range(argument: str, value: int, low: int, high: int, also: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"UserPools {argument}={value!r}; allowed: an integer from {low} to {high}{also} "
                         "(ISO/IEC 27017 9.2.4)")
