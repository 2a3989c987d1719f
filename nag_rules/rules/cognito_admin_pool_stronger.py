from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import tags
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved

AUDIENCE_TAG = "UserPoolAudience"
ADMINISTRATORS = "administrators"
USERS = "users"
ADMIN_MIN_PASSWORD_LENGTH = 16
USER_MIN_PASSWORD_LENGTH = 10
MAX_TEMPORARY_PASSWORD_DAYS = 3
"""The whitepaper's floors (9.2.4): customers may ask for more, never for less."""

COGNITO_DEFAULTS = {"MinimumLength": 8, "TemporaryPasswordValidityDays": 7}
"""What Cognito applies when the template leaves a password setting out."""
COMPLEXITY = ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")


def audience(pool: Resource) -> str | Check:
    """The pool's UserPoolAudience tag, or the verdict when it has none that the rules can read."""
    if is_intrinsic(pool.prop("UserPoolTags")):
        return unresolved(f"UserPoolTags = {show(pool.prop('UserPoolTags'))}")
    value = tags(pool).get(AUDIENCE_TAG)
    if is_intrinsic(value):
        return unresolved(f"{AUDIENCE_TAG} = {show(value)}")
    if value in (ADMINISTRATORS, USERS):
        return value
    if value is None:
        return non_compliant(f"no {AUDIENCE_TAG} tag: cannot tell whether it holds administrators")
    return non_compliant(f"{AUDIENCE_TAG} = {show(value)}; allowed: {ADMINISTRATORS}, {USERS}")


def password_setting(pool: Resource, name: str) -> tuple[Any, str]:
    """A PasswordPolicy setting as Cognito will apply it (its default when absent) and how it is written:
    ``PasswordPolicy.<name> = <value>``, "(Cognito default)" or "not set" when absent. The value is an intrinsic
    when the setting, or the object holding it, is known only at deploy time."""
    label = f"PasswordPolicy.{name}"
    for keys in (("Policies",), ("Policies", "PasswordPolicy"), ("Policies", "PasswordPolicy", name)):
        value = pool.prop(*keys)
        if is_intrinsic(value):
            return value, f"{label if keys[-1] == name else '.'.join(keys)} = {show(value)}"
        if value is None:
            if name in COGNITO_DEFAULTS:
                return COGNITO_DEFAULTS[name], f"{label} = {COGNITO_DEFAULTS[name]} (Cognito default)"
            return False, f"{label} not set"
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value, f"{label} = {show(value)}"


def _number(pool: Resource, name: str) -> tuple[int, str] | Check:
    value, written = password_setting(pool, name)
    if is_intrinsic(value):
        return unresolved(written)
    if not isinstance(value, int) or isinstance(value, bool):
        return non_compliant(f"{written}: not a number")
    return value, written


def cognito_admin_pool_stronger(resource: Resource) -> Check:
    kind = audience(resource)
    if isinstance(kind, Check):
        return kind
    floor = ADMIN_MIN_PASSWORD_LENGTH if kind == ADMINISTRATORS else USER_MIN_PASSWORD_LENGTH
    minimum_length = _number(resource, "MinimumLength")
    if isinstance(minimum_length, Check):
        return minimum_length
    temporary_days = _number(resource, "TemporaryPasswordValidityDays")
    if isinstance(temporary_days, Check):
        return temporary_days
    (length, length_text), (days, days_text) = minimum_length, temporary_days
    if length < floor:
        return non_compliant(f"{AUDIENCE_TAG} = {kind}: {length_text} (< {floor})")
    if days > MAX_TEMPORARY_PASSWORD_DAYS:
        return non_compliant(f"{AUDIENCE_TAG} = {kind}: {days_text} (> {MAX_TEMPORARY_PASSWORD_DAYS})")
    evidence = [f"{AUDIENCE_TAG} = {kind}", f"{length_text} (>= {floor})",
                f"{days_text} (<= {MAX_TEMPORARY_PASSWORD_DAYS})"]
    if kind == USERS:
        return compliant("; ".join(evidence))
    for name in COMPLEXITY:
        value, written = password_setting(resource, name)
        if is_intrinsic(value):
            return unresolved(written)
        if value not in (True, "true"):
            return non_compliant(f"{written}: administrators' passwords need lower and upper case letters, numbers "
                                 "and symbols")
    evidence.append(", ".join(f"{name} = true" for name in COMPLEXITY))
    return _compare_with_users(resource, length, days, evidence)


def _compare_with_users(admin: Resource, length: int, days: int, evidence: list[str]) -> Check:
    pools = _users_pools(admin)
    if not pools:
        evidence.append(f"no pool tagged {AUDIENCE_TAG} = {USERS} in this account and region to compare with")
        return compliant("; ".join(evidence))
    weaker = []
    for pool in pools:
        other: dict[str, int | None] = {}
        for name in ("MinimumLength", "TemporaryPasswordValidityDays"):
            found = _number(pool, name)
            if isinstance(found, Check) and found.outcome is Outcome.UNRESOLVED:
                return unresolved(f"users pool {pool.path}: {found.evidence}")
            other[name] = None if isinstance(found, Check) else found[0]  # not a number: its own finding
        if other["MinimumLength"] is not None and other["MinimumLength"] > length:
            weaker.append(f"MinimumLength = {length} is shorter than users pool {pool.path}'s "
                          f"{other['MinimumLength']}")
        if other["TemporaryPasswordValidityDays"] is not None and other["TemporaryPasswordValidityDays"] < days:
            weaker.append(f"TemporaryPasswordValidityDays = {days} is longer than users pool {pool.path}'s "
                          f"{other['TemporaryPasswordValidityDays']}")
        evidence.append(f"compared with users pool {pool.path}: "
                        + ", ".join(f"{name} = {show(value)}" for name, value in other.items()))
    if weaker:
        return non_compliant(f"administrators' pool weaker than its users': {'; '.join(weaker)}")
    return compliant("; ".join(evidence))


def _users_pools(admin: Resource) -> list[Resource]:
    """The pools tagged for users in the administrators' pool's account and region, anywhere in the assembly
    (stacks without an environment count as one)."""
    stack = admin.stack
    return [pool for pool in stack.assembly.of_type("AWS::Cognito::UserPool")
            if (pool.stack.account, pool.stack.region) == (stack.account, stack.region)
            and tags(pool).get(AUDIENCE_TAG) == USERS]


RULE = Rule(
    name="CognitoAdminPoolStronger",
    clauses=("9.2.3", "9.2.4"),
    resource_types=("AWS::Cognito::UserPool",),
    info="A user pool's password policy is below the floors, or its administrators' passwords are weaker than "
         "its users'.",
    explanation=(
        "Administrators are kept apart from ordinary users (teachers, students) in their own user pool, tagged "
        f"{AUDIENCE_TAG} = {ADMINISTRATORS} (users' pools: {USERS}). Administrators' passwords are at least "
        f"{ADMIN_MIN_PASSWORD_LENGTH} characters, never shorter (and their temporary passwords never longer-lived) "
        "than those of any users pool of the same account and region, with lower and upper case letters, numbers "
        f"and symbols; users' are at least {USER_MIN_PASSWORD_LENGTH}. Temporary passwords last at most "
        f"{MAX_TEMPORARY_PASSWORD_DAYS} days (Cognito's default is 7). Customers may set stronger policies through "
        "UserPools' arguments. A pool without the tag cannot be judged and fails."
    ),
    check=cognito_admin_pool_stronger,
)
