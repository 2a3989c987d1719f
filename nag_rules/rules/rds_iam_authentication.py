from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

IAM_AUTH_ENGINES = ("postgres", "mysql", "mariadb", "aurora")
"""Engines that accept IAM database authentication."""


def rds_iam_authentication(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: the cluster decides")
    engine = str(resource.prop("Engine", default=""))
    if not any(name in engine for name in IAM_AUTH_ENGINES):
        return not_applicable(f"engine {engine!r} has no IAM database authentication")
    enabled = resource.prop("EnableIAMDatabaseAuthentication")
    if is_intrinsic(enabled):
        return unresolved(f"EnableIAMDatabaseAuthentication = {show(enabled)}")
    if enabled not in (True, "true"):
        return non_compliant(f"EnableIAMDatabaseAuthentication = {show(enabled) if enabled is not None else '(absent: false)'}"
                             ": the application signs in with a shared password")
    return compliant("EnableIAMDatabaseAuthentication = true: each role signs in with short-lived IAM tokens, "
                     "so database access follows IAM, per application role")


RULE = Rule(
    name="RdsIamAuthentication",
    clauses=("CLD.9.5.1", "9.4.1"),
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    info="The database does not accept IAM authentication.",
    explanation=(
        "Access to the shared database is restricted per role: IAM database authentication lets each "
        "application role sign in with a short-lived token (rds-db:connect on its own database user) instead "
        "of a shared password. Tenants are then kept apart inside the database by the application (a tenant "
        "key in every row and row-level security), which no template can show."
    ),
    check=rds_iam_authentication,
    security_hub=("RDS.10", "RDS.12"),
)
