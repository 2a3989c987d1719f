from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved


def rds_managed_credentials(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: the cluster holds the credentials")
    managed = resource.prop("ManageMasterUserPassword")
    if is_intrinsic(managed):
        return unresolved(f"ManageMasterUserPassword = {show(managed)}")
    if managed in (True, "true"):
        key = resource.prop("MasterUserSecret", "KmsKeyId")
        if key is None:
            return non_compliant("ManageMasterUserPassword = true, but MasterUserSecret.KmsKeyId is absent: the "
                                 "secret uses the AWS managed key aws/secretsmanager")
        found = customer_managed_key(resource, key, "MasterUserSecret.KmsKeyId")
        if not isinstance(found, str):
            return found
        return compliant(f"ManageMasterUserPassword = true: RDS keeps the master password in Secrets Manager "
                         f"under {found} and rotates it (every 7 days unless changed)")
    password = resource.prop("MasterUserPassword")
    if password is None and resource.prop("MasterUsername") is None:
        return not_applicable("no master user in the template (restored from a snapshot or a replica)")
    secret = _secret(resource, password)
    if isinstance(secret, Check):
        return secret
    assembly = resource.stack.assembly
    names = [secret, *(a for a, _ in assembly.referrers(secret) if a.type == "AWS::SecretsManager::SecretTargetAttachment")]
    schedules = [s for named in names for s, _ in assembly.referrers(named)
                 if s.type == "AWS::SecretsManager::RotationSchedule"]
    if not schedules:
        return non_compliant(f"the master password is {secret.path}, which no AWS::SecretsManager::RotationSchedule "
                             "rotates (use manage_master_user_password=True)")
    return compliant(f"the master password is {secret.path}, rotated by {schedules[0].path}")


def _secret(resource: Resource, password: object) -> Resource | Check:
    if password is None:
        return non_compliant("no MasterUserPassword and ManageMasterUserPassword is not true")
    text = show(password)
    if isinstance(password, str) and "{{resolve:secretsmanager:" not in password:
        return non_compliant("MasterUserPassword is written in the template")
    target = resource.target(_secret_reference(password))
    if target is not None and target.type == "AWS::SecretsManager::SecretTargetAttachment":
        target = target.target(target.prop("SecretId"))
    if target is None or target.type != "AWS::SecretsManager::Secret":
        return unresolved(f"MasterUserPassword = {text[:120]}: a secret outside this app")
    return target


def _secret_reference(password: object) -> object:
    """The Ref inside ``{{resolve:secretsmanager:<ref>:SecretString:password}}`` as CDK joins it."""
    if isinstance(password, dict) and "Fn::Join" in password:
        parts = password["Fn::Join"][1] if isinstance(password["Fn::Join"], list) else []
        return next((part for part in parts if isinstance(part, dict)), None)
    return None


RULE = Rule(
    name="RdsManagedCredentials",
    clauses=("10.1.1", "9.2.4"),
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    info="The database master password is not kept in Secrets Manager under a customer managed key and rotated.",
    explanation=(
        "Database credentials are secret authentication information: RDS manages the master password "
        "(manage_master_user_password=True), keeps it in Secrets Manager encrypted with the customer managed "
        "key of the data class (MasterUserSecret.KmsKeyId) and rotates it. A password written in the template, "
        "or a secret nothing rotates, fails."
    ),
    check=rds_managed_credentials,
    security_hub=("SecretsManager.1",),
)
