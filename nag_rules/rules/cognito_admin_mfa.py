from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.rules.cognito_admin_pool_stronger import ADMINISTRATORS, AUDIENCE_TAG, USERS, audience

TOTP = "SOFTWARE_TOKEN_MFA"
WEAKER_FACTORS = {"SMS_MFA": "SMS codes can be taken over with the phone number",
                  "EMAIL_OTP": "email codes go to the mailbox that also recovers the account"}


def cognito_admin_mfa(resource: Resource) -> Check:
    kind = audience(resource)
    if kind == USERS:
        return not_applicable(f"{AUDIENCE_TAG} = {USERS}")
    if isinstance(kind, Check) and kind.outcome is Outcome.UNRESOLVED:
        return kind
    which = kind.evidence + ", so judged as an administrators' pool" if isinstance(kind, Check) else \
        f"{AUDIENCE_TAG} = {ADMINISTRATORS}"
    mfa = resource.prop("MfaConfiguration", default="OFF")
    if is_intrinsic(mfa):
        return unresolved(f"MfaConfiguration = {show(mfa)}")
    if mfa != "ON":
        return non_compliant(f"{which}: MfaConfiguration = {show(mfa)}; administrators must always use MFA (ON)")
    factors = resource.prop("EnabledMfas", default=[])
    if is_intrinsic(factors) or (isinstance(factors, list) and any(is_intrinsic(f) for f in factors)):
        return unresolved(f"EnabledMfas = {show(factors)}")
    factors = factors if isinstance(factors, list) else [factors]
    if TOTP not in factors:
        return non_compliant(f"{which}: EnabledMfas = {show(factors)} has no {TOTP} (authenticator app)")
    weaker = [f"{factor} ({WEAKER_FACTORS[factor]})" for factor in factors if factor in WEAKER_FACTORS]
    if weaker:
        return non_compliant(f"{which}: EnabledMfas also offers {'; '.join(weaker)}")
    return compliant(f"{which}; MfaConfiguration = ON; EnabledMfas = {show(factors)}")


RULE = Rule(
    name="CognitoAdminMfa",
    clauses=("9.2.3", "9.4.1"),
    resource_types=("AWS::Cognito::UserPool",),
    info="An administrators' user pool does not require MFA with an authenticator app only.",
    explanation=(
        f"Privileged access needs a second factor: a user pool tagged {AUDIENCE_TAG} = {ADMINISTRATORS} (or not "
        "tagged at all, which cannot be told apart from one) sets MfaConfiguration = ON with SOFTWARE_TOKEN_MFA "
        "(TOTP) and offers neither SMS_MFA nor EMAIL_OTP, weaker factors an administrator could fall back to "
        f"(UserPools does this). Users' pools ({AUDIENCE_TAG} = {USERS}) may leave MFA optional."
    ),
    check=cognito_admin_mfa,
)
