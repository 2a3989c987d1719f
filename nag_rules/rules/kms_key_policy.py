import re
from dataclasses import dataclass
from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import as_json, text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

DATA_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair",
                "kms:GenerateDataKeyPairWithoutPlaintext", "kms:CreateGrant")
"""Actions that use the key on data, or hand that use on (a grant)."""
ACCOUNT_KEYS = ("aws:principalaccount", "aws:sourceaccount", "kms:calleraccount")
SERVICE_ENDPOINT = re.compile(r"[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(\.cn)?")
ROLE_PATTERN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/[^*?].*")
"""Roles of one account, named at least by the first letter of their name."""
IAM_ARN = re.compile(r"arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):(.+)")
EVIDENCE_LENGTH = 400

Clause = tuple[str, str, list[Any]]
"""``(operator, key, values)`` of a Condition block."""


class _Unknown(Exception):
    """A value the verdict needs is known only at deploy time."""


@dataclass(frozen=True)
class _Principal:
    arn: str
    account: str
    name: str
    """``root``, ``role/...``, ``user/...``, or the construct path of a role or user of the app."""

    @property
    def label(self) -> str:
        if self.name.startswith("role/aws-service-role/"):
            return f"service-linked role {self.name.rsplit('/', 1)[-1]}"
        return self.name


def kms_key_policy(resource: Resource) -> Check:
    raw = resource.prop("KeyPolicy")
    if raw is None:
        return non_compliant("KeyPolicy absent: AWS KMS applies its default policy, which lets the account root "
                             "use the key for data (kms:*) without kms:ViaService or aws:PrincipalArn")
    policy = as_json(raw)
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list):
        return unresolved(_short(f"KeyPolicy = {show(raw)}"))
    if resource.stack.account is None:
        return unresolved("the stack's account is known only at deploy time: principals cannot be tied to it")
    problems, unknowns, granted = [], [], []
    for index, statement in enumerate(statements, 1):
        label = statement.get("Sid") if isinstance(statement, dict) and statement.get("Sid") else f"#{index}"
        try:
            problem, grants = _statement(statement, resource)
        except _Unknown as error:
            unknowns.append(f"statement {label}: {error}")
            continue
        if problem:
            problems.append(f"statement {label}: {problem}")
        granted.extend(grants)
    if problems:
        return non_compliant(_short("; ".join(problems)))
    if unknowns:
        return unresolved(_short("; ".join(unknowns)))
    return compliant(_summary(granted))


def _statement(statement: Any, resource: Resource) -> tuple[str | None, list[tuple[bool, str]]]:
    """The problem with one statement, or else what it grants to whom (whether for data use, and a
    description)."""
    if not isinstance(statement, dict) or not isinstance(statement.get("Effect"), str):
        raise _Unknown(_short(show(statement), 120))
    if statement["Effect"] != "Allow":
        return None, []
    patterns = _patterns(statement)
    excluded = "NotAction" in statement and "Action" not in statement
    actions = show(statement.get("Action", statement.get("NotAction"))) if patterns is None else ", ".join(patterns)
    actions = f"every action but {actions}" if excluded else actions
    if "NotPrincipal" in statement:
        return f"Allow with NotPrincipal: everyone but {show(statement['NotPrincipal'])} may {actions}", []
    data = None if patterns is None else [
        a for a in DATA_ACTIONS if any(_matches(p, a) for p in patterns) != excluded]
    account = resource.stack.account
    clauses = _clauses(statement.get("Condition"))
    labels, unknowns = [], []
    for kind, value in _principals(statement.get("Principal")):
        if kind == "Service":
            name = text(value, resource)
            if name is None:
                unknowns.append(f"Principal Service {show(value)}")
            else:
                labels.append(name)
            continue
        if kind != "AWS":
            return f"grants {actions} to {kind} {show(value)}, not a principal of account {account}", []
        try:
            principal = _aws_principal(value, resource)
        except _Unknown as error:
            unknowns.append(str(error))
            continue
        if principal is None:
            pinned, reasons = _pins_account(clauses, resource)
            if pinned is None:
                unknowns.append(f"the condition pinning Principal \"*\" to the account: {'; '.join(reasons)}")
                continue
            if not pinned:
                return (f"allows {actions} to any principal without a condition pinning it to account {account}"
                        + (f" ({'; '.join(reasons)})" if reasons else "")), []
            who, label = f"any principal of account {account}", "any principal of the account"
            exposed = "any principal of the account could decrypt, whatever its IAM policies"
        elif principal.account != account:
            owner = f"account {principal.account}" if principal.account else "an unknown account"
            return f"grants {actions} to {principal.arn}, a principal of {owner}", []
        elif principal.name == "root":
            who, label = "the account root", "root"
            exposed = "any IAM principal of the account with KMS permissions could decrypt"
        else:
            labels.append(principal.label)
            continue
        if data is None:
            unknowns.append(f"Action {actions}")
            continue
        limited = _data_use_limited(clauses, resource) if data else True
        if limited is None:
            unknowns.append(f"the condition limiting {who}'s data use")
        elif not limited:
            covering = [p for p in patterns if not excluded and any(_matches(p, a) for a in data)] or data
            return (f"{who} may use the key for data ({', '.join(covering)}) without kms:ViaService or "
                    f"aws:PrincipalArn: {exposed}"), []
        labels.append(label)
    if unknowns or patterns is None:
        raise _Unknown("; ".join(unknowns) or f"Action {actions}")
    listed = _few([actions] if excluded else [p.removeprefix("kms:") for p in patterns])
    when = _describe(clauses, resource)
    return None, [(bool(data), f"{label}{'' if data else f' ({listed})'}{f' {when}' if when else ''}")
                  for label in labels]


def _principals(principal: Any) -> list[tuple[str, Any]]:
    if principal == "*":
        return [("AWS", "*")]
    if not isinstance(principal, dict) or is_intrinsic(principal):
        raise _Unknown(f"Principal {show(principal)}")
    return [(kind, value) for kind, values in principal.items()
            for value in (values if isinstance(values, list) else [values])]


def _aws_principal(value: Any, resource: Resource) -> _Principal | None:
    """The principal an ``AWS`` entry names; None for ``*``."""
    arn = text(value, resource)
    if arn is None:
        target = resource.target(value)
        if target is not None and target.type in ("AWS::IAM::Role", "AWS::IAM::User"):
            return _Principal(target.path, target.stack.account or "", target.path)
        raise _Unknown(f"Principal AWS {show(value)}")
    if arn == "*":
        return None
    if re.fullmatch(r"\d{12}", arn):
        return _Principal(arn, arn, "root")
    match = IAM_ARN.fullmatch(arn)
    return _Principal(arn, match.group(1), match.group(2)) if match else _Principal(arn, "", arn)


def _patterns(statement: dict[str, Any]) -> list[str] | None:
    """Action (or NotAction) patterns; None if any is known only at deploy time."""
    value = statement.get("Action", statement.get("NotAction"))
    values = value if isinstance(value, list) else [value]
    return values if all(isinstance(v, str) for v in values) else None


def _matches(pattern: str, action: str) -> bool:
    expression = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(expression, action, re.IGNORECASE) is not None


def _clauses(condition: Any) -> list[Clause]:
    if condition is None:
        return []
    if not isinstance(condition, dict) or is_intrinsic(condition):
        raise _Unknown(f"Condition {show(condition)}")
    clauses = []
    for operator, entries in condition.items():
        if not isinstance(entries, dict) or is_intrinsic(entries):
            raise _Unknown(f"Condition {operator} {show(entries)}")
        clauses.extend((operator, key, values if isinstance(values, list) else [values])
                       for key, values in entries.items())
    return clauses


def _literals(values: list[Any], resource: Resource) -> list[str | None]:
    """Condition values as text; None where only deploy time knows."""
    return [show(v) if isinstance(v, bool) else text(v, resource) for v in values]


def _pins_account(clauses: list[Clause], resource: Resource) -> tuple[bool | None, list[str]]:
    """Whether a clause pins Principal "*" to the stack's account (None: only deploy time knows), and why
    the clauses on account keys do not."""
    account = resource.stack.account
    reasons, unknown = [], False
    for operator, key, raw in clauses:
        name, op = key.lower(), operator.lower()
        if name == "aws:principalorgid":
            reasons.append(f"{operator} {key}: admits every account of the organisation")
            continue
        if name not in ACCOUNT_KEYS and name != "aws:sourcearn":
            continue
        allowed = ("StringEquals",) if name in ACCOUNT_KEYS else ("StringEquals", "ArnEquals", "ArnLike")
        if op not in (a.lower() for a in allowed):
            reasons.append(f"{operator} {key}: not {' / '.join(allowed)}")
            continue
        values = _literals(raw, resource)
        if None in values:
            unknown = True
            reasons.append(f"{operator} {key} = {show(raw)}")
        elif values and all(v == account if name in ACCOUNT_KEYS else _arn_of(v, account, op == "arnlike")
                            for v in values):  # type: ignore[arg-type]
            return True, []
        else:
            reasons.append(f"{operator} {key} = {show(values)}: not only account {account}")
    return (None if unknown else False), reasons


def _arn_of(value: str, account: str | None, like: bool) -> bool:
    """An ARN in ``account`` with no wildcard, except in the resource part of an ArnLike pattern."""
    parts = value.split(":", 5)
    literal = parts[:5] if like else parts
    return len(parts) == 6 and parts[0] == "arn" and parts[4] == account and not any(
        "*" in p or "?" in p for p in literal)


def _data_use_limited(clauses: list[Clause], resource: Resource) -> bool | None:
    """A kms:ViaService clause naming service endpoints, or an aws:PrincipalArn clause naming roles of the
    account (None: only deploy time knows)."""
    unknown = False
    for operator, key, raw in clauses:
        name, op = key.lower(), operator.lower()
        if name == "kms:viaservice" and op in ("stringequals", "stringlike"):
            def fits(value: str) -> bool:
                return SERVICE_ENDPOINT.fullmatch(value) is not None
        elif name == "aws:principalarn" and op in ("arnlike", "arnequals", "stringlike", "stringequals"):
            def fits(value: str) -> bool:
                match = ROLE_PATTERN.fullmatch(value)
                return match is not None and match.group(1) == resource.stack.account
        else:
            continue
        values = _literals(raw, resource)
        if None in values:
            unknown = True
        elif values and all(fits(v) for v in values):  # type: ignore[arg-type]
            return True
    return None if unknown else False


def _describe(clauses: list[Clause], resource: Resource) -> str:
    """``via <services>``, ``as <roles>`` and the other conditions in parentheses."""
    account = resource.stack.account
    limits, others = [], []
    for _, key, raw in clauses:
        name = key.lower()
        values = [show(v) if t is None else t for v, t in zip(raw, _literals(raw, resource))]
        if name == "kms:viaservice":
            limits.append("via " + _few([v.split(".", 1)[0] for v in values]))
        elif name == "aws:principalarn":
            limits.append("as " + _few([re.sub(rf"^arn:aws[a-z-]*:iam::{account}:", "", v) for v in values]))
        elif name.startswith("kms:encryptioncontext:"):
            others.append(f"encryption context {key.split(':', 2)[2]}")
        elif name in ACCOUNT_KEYS and values == [account]:
            others.append(f"{key.split(':', 1)[-1]} = this account")
        else:
            others.append(f"{key.split(':', 1)[-1]} {_few(values)}")
    return " ".join(limits + ([f"({', '.join(others)})"] if others else []))


def _summary(grants: list[tuple[bool, str]]) -> str:
    """``admin: ...; ... . data use: ...; ...``, cut to EVIDENCE_LENGTH at an entry."""
    summary = ""
    for title, use in (("admin: ", False), ("data use: ", True)):
        for index, entry in enumerate(dict.fromkeys(e for d, e in grants if d is use)):
            piece = f"{'. ' if summary else ''}{title}{entry}" if index == 0 else f"; {entry}"
            if len(summary) + len(piece) > EVIDENCE_LENGTH - 3:
                return f"{summary}; …" if summary else _short(piece)
            summary += piece
    return summary or "KeyPolicy allows nobody"


def _few(items: list[str], count: int = 3) -> str:
    return ", ".join(items[:count]) + (", …" if len(items) > count else "")


def _short(evidence: str, length: int = EVIDENCE_LENGTH) -> str:
    return evidence if len(evidence) <= length else evidence[:length - 1] + "…"


RULE = Rule(
    name="KmsKeyPolicy",
    clauses=("10.1.1", "8.1.1"),
    resource_types=("AWS::KMS::Key",),
    info="The KMS key policy lets another account, any principal, or any IAM principal of the account use the key.",
    explanation=(
        "Each data class's key is usable only by the services and roles that need it. No Allow statement "
        "uses NotPrincipal or names another account; Principal \"*\" is pinned to this account by "
        "StringEquals/ArnEquals/ArnLike on aws:PrincipalAccount, aws:SourceAccount, kms:CallerAccount or "
        "aws:SourceArn; and the account root (or a pinned \"*\") may use the key for data (Encrypt, Decrypt, "
        "ReEncrypt*, GenerateDataKey*, CreateGrant) only under kms:ViaService or an aws:PrincipalArn naming "
        "the app's roles, so that no IAM policy alone opens the data. CDK's default key policy (root kms:*) "
        "fails: give the key a policy that separates administration from data use."
    ),
    check=kms_key_policy,
    security_hub=("KMS.1", "KMS.2"),
)
