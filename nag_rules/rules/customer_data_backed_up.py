import re
from functools import cache
from typing import Any

from nag_rules.assembly import Resource, Stack, getatt, is_intrinsic, show
from nag_rules.cfn import HOLE, tags, text, text_with_holes
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import DATA_CLASSIFICATION_TAG

CUSTOMER = "customer"
TAG_CONDITION_KEY = "aws:ResourceTag/"

ARNS = {
    "AWS::RDS::DBCluster": ("arn:aws:rds:{region}:{account}:cluster:{name}", "DBClusterIdentifier"),
    "AWS::RDS::DBInstance": ("arn:aws:rds:{region}:{account}:db:{name}", "DBInstanceIdentifier"),
    "AWS::DynamoDB::Table": ("arn:aws:dynamodb:{region}:{account}:table/{name}", "TableName"),
    "AWS::DynamoDB::GlobalTable": ("arn:aws:dynamodb:{region}:{account}:table/{name}", "TableName"),
    "AWS::S3::Bucket": ("arn:aws:s3:::{name}", "BucketName"),
    "AWS::EFS::FileSystem": ("arn:aws:elasticfilesystem:{region}:{account}:file-system/{name}", None),
    "AWS::EC2::Volume": ("arn:aws:ec2:{region}:{account}:volume/{name}", None),
    "AWS::FSx::FileSystem": ("arn:aws:fsx:{region}:{account}:file-system/{name}", None),
    "AWS::DocDB::DBCluster": ("arn:aws:rds:{region}:{account}:cluster:{name}", "DBClusterIdentifier"),
    "AWS::Neptune::DBCluster": ("arn:aws:rds:{region}:{account}:cluster:{name}", "DBClusterIdentifier"),
}
"""The ARN AWS Backup knows each protectable type by, and the property that names it (RDS names are lower case)."""

ARN_ATTRIBUTES = ("Arn", "DBClusterArn", "DBInstanceArn", "ResourceARN")
"""Fn::GetAtt attributes of those types that give the ARN itself (not a stream's or an endpoint's)."""

BACKUP_SERVICE = "backup.amazonaws.com"
BACKUP_POLICY = "service-role/AWSBackupServiceRolePolicyForBackup"
S3_BACKUP_POLICY = "AWSBackupServiceRolePolicyForS3Backup"
"""The AWS managed policies AWS Backup documents for backing up (S3 needs its own beside the general one)."""
DEFAULT_ROLE = "service-role/AWSBackupDefaultServiceRole"
_AWS_POLICY = re.compile(r"^arn:(?:aws|aws-cn|aws-us-gov|\x00):iam::aws:policy/(?P<name>.+)$")
_ROLE_ARN = re.compile(r"^arn:[^:]+:iam::[^:]*:role/(?P<path>.+)$")

Match = tuple[bool | None, str]
"""Whether a part of a selection takes the resource (None: known only at deploy time), and how or why not."""


def _arn(resource: Resource, name: str | None = None) -> str:
    """The resource's ARN, with HOLE for every part known only at deploy time."""
    form, name_property = ARNS[resource.type]
    if name is None:
        name = (text(resource.prop(name_property), resource) if name_property else None) or HOLE
        name = name.lower() if resource.type.startswith(("AWS::RDS::", "AWS::DocDB::", "AWS::Neptune::")) else name
    stack = resource.stack
    return form.format(region=stack.region or HOLE, account=stack.account or HOLE, name=name)


def _pattern_matches(pattern: str, arn: str) -> bool | None:
    """AWS Backup's ``*`` wildcard; a HOLE in ``arn`` matches only a ``*``, so a match holds for any value. None when
    the ARN matches for some values of its holes only."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    if re.fullmatch(regex, arn, re.DOTALL) is not None:
        return True
    return None if HOLE in arn and _may_match(pattern, arn) else False


def _may_match(pattern: str, arn: str) -> bool:
    """Whether some value of the ARN's holes (an id, account or region: never a ``:`` or ``/``) matches ``pattern``."""
    @cache
    def meet(i: int, j: int) -> bool:
        if i == len(pattern) and j == len(arn):
            return True
        if i < len(pattern) and pattern[i] == "*":
            return meet(i + 1, j) or (j < len(arn) and meet(i, j + 1))
        if j < len(arn) and arn[j] == HOLE:
            return meet(i, j + 1) or (i < len(pattern) and pattern[i] not in ":/" and meet(i + 1, j))
        return i < len(pattern) and j < len(arn) and pattern[i] == arn[j] and meet(i + 1, j + 1)
    return meet(0, 0)


def _names(selection: Resource, entry: Any, resource: Resource, field: str) -> Match:
    """Whether a Resources or NotResources entry names the resource."""
    target = selection.target(entry)
    if target is resource:
        produced = selection.stack.assembly.output(entry) if isinstance(entry, dict) else None
        value = entry if produced is None else produced[1]
        attribute = getatt(value)
        by_arn = attribute[1] in ARN_ATTRIBUTES if attribute else text_with_holes(value, resource) == _arn(resource, HOLE)
        return by_arn, f"by reference in {field}" if by_arn else ""
    if target is not None:
        return False, ""
    pattern = text_with_holes(entry, selection)
    if pattern is None or HOLE in pattern:
        return None, f"{field} entry {show(entry)} is known only at deploy time"
    matched = _pattern_matches(pattern, _arn(resource))
    if matched is None:
        return None, f"whether the {field} pattern {pattern} names it is known only at deploy time"
    return matched, f"by the ARN pattern {pattern} in {field}" if matched else ""


TAG_OPERATORS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")


def _tag_matches(resource_tags: dict[str, Any], key: Any, value: Any, operator: str) -> bool | None:
    """One tag condition; a missing tag satisfies only the negated operators."""
    actual = resource_tags.get(key) if isinstance(key, str) else None
    if operator not in TAG_OPERATORS or not isinstance(key, str) or not isinstance(value, str) \
            or is_intrinsic(actual):
        return None
    if operator in ("StringEquals", "StringNotEquals"):
        equal = actual == value
        return equal if operator == "StringEquals" else not equal
    like = isinstance(actual, str) and _pattern_matches(value, actual)
    return like if operator == "StringLike" else not like


def _by_tag(resource_tags: dict[str, Any], condition: Any) -> Match:
    """One ListOfTags entry (any one of them selects)."""
    if not isinstance(condition, dict) or is_intrinsic(condition):
        return None, f"ListOfTags entry {show(condition)} is known only at deploy time"
    key, value = condition.get("ConditionKey"), condition.get("ConditionValue")
    if condition.get("ConditionType") != "STRINGEQUALS":
        return None, f"ListOfTags entry {show(condition)}: ConditionType is not STRINGEQUALS"
    matched = _tag_matches(resource_tags, key, value, "StringEquals")
    if matched is None:
        return None, f"ListOfTags entry {show(condition)} is known only at deploy time"
    return matched, f"by tag (ListOfTags {show(key)} = {show(value)})" if matched else ""


def _conditions(resource_tags: dict[str, Any], conditions: Any) -> Match:
    """Conditions: every one of them must hold."""
    if conditions is None:
        return True, ""
    if not isinstance(conditions, dict) or is_intrinsic(conditions):
        return None, f"Conditions = {show(conditions)} is known only at deploy time"
    held = []
    for operator, parameters in conditions.items():
        if not isinstance(parameters, list):
            return None, f"Conditions.{operator} = {show(parameters)} is known only at deploy time"
        for parameter in parameters:
            key = parameter.get("ConditionKey") if isinstance(parameter, dict) else None
            value = parameter.get("ConditionValue") if isinstance(parameter, dict) else None
            if not isinstance(key, str) or not key.startswith(TAG_CONDITION_KEY) or operator not in TAG_OPERATORS:
                return None, f"Conditions.{operator} entry {show(parameter)} is not a resource tag condition"
            matched = _tag_matches(resource_tags, key[len(TAG_CONDITION_KEY):], value, operator)
            if matched is None:
                return None, f"Conditions.{operator} entry {show(parameter)} is known only at deploy time"
            if not matched:
                return False, ""
            held.append(f"{key} {operator} {show(value)}")
    return True, f"with Conditions {', '.join(held)}" if held else ""


def _selects(selection: Resource, resource: Resource, resource_tags: dict[str, Any]) -> Match:
    """Whether one BackupSelection takes the resource: (Resources OR ListOfTags) AND Conditions, minus NotResources
    (no Resources and no ListOfTags: every resource)."""
    body = selection.prop("BackupSelection")
    if not isinstance(body, dict) or is_intrinsic(body):
        return None, f"BackupSelection = {show(body)}"
    listed, tagged = body.get("Resources") or [], body.get("ListOfTags") or []
    if is_intrinsic(listed) or is_intrinsic(tagged):
        return None, f"Resources = {show(listed)}, ListOfTags = {show(tagged)}"
    results = [_names(selection, entry, resource, "BackupSelection.Resources") for entry in listed]
    results += [_by_tag(resource_tags, condition) for condition in tagged]
    ways = [how for taken, how in results if taken]
    unknown = [how for taken, how in results if taken is None]
    if not listed and not tagged:
        ways = ["as every resource of the account (no Resources or ListOfTags)"]
    elif not ways:
        return (None, "; ".join(unknown)) if unknown else (False, "")
    held, how = _conditions(resource_tags, body.get("Conditions"))
    if not held:
        return held, how
    ways += [how] if how else []
    excluding = body.get("NotResources") or []
    if is_intrinsic(excluding) or not isinstance(excluding, list):
        return None, f"NotResources = {show(excluding)}"
    for entry in excluding:
        excluded, why = _names(selection, entry, resource, "NotResources")
        if excluded is None:
            return None, why
        if excluded:
            return False, f"{selection.path} excludes it {why}"
    return True, ", and ".join(ways)


def same_environment(a: Stack, b: Stack) -> bool | None:
    """None when an environment-agnostic stack makes it unknowable."""
    if a is b:
        return True
    if not (a.account and a.region and b.account and b.region):
        return None
    return (a.account, a.region) == (b.account, b.region)


def _trusts_backup(role: Resource) -> bool | None:
    statements = role.prop("AssumeRolePolicyDocument", "Statement")
    if not isinstance(statements, list):
        return None
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        services = (statement.get("Principal") or {}).get("Service") if isinstance(statement.get("Principal"), dict) \
            else None
        if BACKUP_SERVICE in (text(s, role) for s in (services if isinstance(services, list) else [services])):
            return True
    return False


def _role_backs_up(selection: Resource, resource: Resource) -> Match:
    """Whether the selection's IamRoleArn lets AWS Backup back the resource up, and how."""
    value = selection.prop("BackupSelection", "IamRoleArn")
    role = selection.target(value)
    if role is None:
        arn = text(value, selection)
        if arn is None:
            return None, f"its IamRoleArn {show(value)} is known only at deploy time"
        match = _ROLE_ARN.match(arn)
        if match and match["path"] == DEFAULT_ROLE:
            return True, f"as {arn}, AWS Backup's default service role (created by AWS Backup on first use)"
        return None, f"its IamRoleArn {arn} is a role outside this app, whose permissions cannot be checked"
    if role.type != "AWS::IAM::Role":
        return None, f"its IamRoleArn refers to {role.type} {role.path}, not to a role"
    trusted = _trusts_backup(role)
    if not trusted:
        return trusted, f"its role {role.path} does not trust {BACKUP_SERVICE}, so AWS Backup cannot assume it"
    arns = role.prop("ManagedPolicyArns", default=[])
    if not isinstance(arns, list):
        return None, f"its role {role.path} has ManagedPolicyArns = {show(arns)}"
    attached, unknown = set(), []
    for arn in arns:
        found = text_with_holes(arn, role)
        match = _AWS_POLICY.match(found) if found is not None else None
        if match and HOLE not in match["name"]:
            attached.add(match["name"])
        elif found is None or HOLE in found:
            unknown.append(show(arn))
    needed = [BACKUP_POLICY, *([S3_BACKUP_POLICY] if resource.type == "AWS::S3::Bucket" else [])]
    missing = [policy for policy in needed if policy not in attached]
    if not missing:
        return True, f"as {role.path}, which has the AWS managed policies {', '.join(needed)}"
    if unknown:
        return None, (f"whether its role {role.path} has {', '.join(missing)} is known only at deploy time "
                      f"(ManagedPolicyArns {', '.join(unknown)})")
    return False, (f"its role {role.path} lacks the AWS managed policy {', '.join(missing)}: every backup job of it "
                   "fails")


def customer_data_backed_up(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: AWS Backup backs up its cluster")
    resource_tags = tags(resource)
    data_class = resource_tags.get(DATA_CLASSIFICATION_TAG)
    if is_intrinsic(data_class):
        return unresolved(f"{DATA_CLASSIFICATION_TAG} = {show(data_class)}: whether it holds customer data is "
                          "known only at deploy time")
    if data_class != CUSTOMER:
        return not_applicable(f"{DATA_CLASSIFICATION_TAG} = {show(data_class)}")
    found, unknown, excluded, failing = [], [], [], []
    for selection in resource.stack.assembly.of_type("AWS::Backup::BackupSelection"):
        same = same_environment(selection.stack, resource.stack)
        if same is False:
            continue
        taken, how = _selects(selection, resource, resource_tags)
        plan = selection.target(selection.prop("BackupPlanId"))
        if taken is False:
            excluded += [how] if how else []
        elif taken is None:
            unknown.append(f"{selection.path}: {how}")
        elif plan is None or plan.type != "AWS::Backup::BackupPlan":
            unknown.append(f"{selection.path} selects it, but its BackupPlanId {show(selection.prop('BackupPlanId'))} "
                           "is no backup plan of this app")
        elif same is None:
            unknown.append(f"{selection.path} selects it, but its stack's environment ({selection.stack.environment}) "
                           f"may not be the resource's ({resource.stack.environment})")
        elif selection.condition or plan.condition:
            unknown.append(f"{selection.path} selects it, but exists only under condition "
                           f"{selection.condition or plan.condition}")
        else:
            able, role = _role_backs_up(selection, resource)
            if able:
                found.append(f"{selection.path} (plan {plan.path}) selects it {how}; AWS Backup acts {role}")
            else:
                (unknown if able is None else failing).append(f"{selection.path} selects it {how}, but {role}")
    if found:
        return _versioned(resource, "; ".join(found))
    if unknown:
        return unresolved("; ".join(unknown + failing))
    if failing:
        return non_compliant("; ".join(failing))
    return non_compliant("; ".join([f"no AWS::Backup::BackupSelection of this app in {resource.stack.environment} "
                                    "selects it", *excluded]))


def _versioned(resource: Resource, evidence: str) -> Check:
    """AWS Backup backs up only versioned buckets."""
    if resource.type != "AWS::S3::Bucket":
        return compliant(evidence)
    status = resource.prop("VersioningConfiguration", "Status")
    if is_intrinsic(status):
        return unresolved(f"{evidence}; VersioningConfiguration.Status = {show(status)}")
    if status != "Enabled":
        return non_compliant(f"{evidence}, but VersioningConfiguration.Status = {show(status or '(absent)')}: "
                             "AWS Backup backs up only versioned buckets")
    return compliant(evidence)


RULE = Rule(
    name="CustomerDataBackedUp",
    clauses=("12.3.1",),
    resource_types=tuple(ARNS),
    info="The customer data store is selected by no AWS Backup plan of the app with a role that can back it up.",
    explanation=(
        "The whitepaper promises daily backups of customer data: every store tagged DataClassification = "
        "customer that AWS Backup can protect must be taken by an AWS::Backup::BackupSelection of a plan in this "
        "app, in the same account and region: by its ARN in Resources (a reference, or a literal pattern), or by "
        "a ListOfTags entry on its tags (either selects), subject to every Conditions entry and not excluded by "
        "NotResources. A selection by tag also depends on the account's AWS Backup service opt-in for the "
        "resource type (Aurora, DocumentDB and Neptune need it even when named), which no template shows. "
        "The selection's IamRoleArn must let AWS Backup do the work: a role of this app that trusts "
        "backup.amazonaws.com and carries the AWS managed policy service-role/AWSBackupServiceRolePolicyForBackup "
        "(and AWSBackupServiceRolePolicyForS3Backup for buckets), or AWS Backup's default service role "
        "(role/service-role/AWSBackupDefaultServiceRole); a role outside the app cannot be checked. "
        "Buckets must be versioned for AWS Backup to back them up. Add the resource to the DailyBackup "
        "construct's resources, or tag it with the customer data class."
    ),
    check=customer_data_backed_up,
)
