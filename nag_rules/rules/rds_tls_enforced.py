from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

MINIMUM_POSTGRES_TLS = ("TLSv1.2", "TLSv1.3")


def rds_tls_enforced(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: the cluster's parameter group decides")
    engine = str(resource.prop("Engine", default=""))
    key = "DBClusterParameterGroupName" if resource.type == "AWS::RDS::DBCluster" else "DBParameterGroupName"
    name = resource.prop(key)
    if name is None:
        return non_compliant(f"no {key}: the default parameter group does not force TLS")
    group = resource.target(name)
    if group is None:
        return unresolved(f"{key} = {show(name)} is outside this app")
    parameters = group.prop("Parameters", default={})
    if not isinstance(parameters, dict):
        return unresolved(f"{group.path}: Parameters = {show(parameters)}")
    if "postgres" in engine:
        return _postgres(group, parameters)
    if "mysql" in engine or "mariadb" in engine:
        return _mysql(group, parameters)
    return unresolved(f"engine {engine!r}: how it forces TLS is not known to this rule")


def _postgres(group: Resource, parameters: dict[str, Any]) -> Check:
    force, minimum = parameters.get("rds.force_ssl"), parameters.get("ssl_min_protocol_version")
    if is_intrinsic(force) or is_intrinsic(minimum):
        return unresolved(f"{group.path}: rds.force_ssl = {show(force)}, ssl_min_protocol_version = {show(minimum)}")
    if str(force) != "1":
        return non_compliant(f"{group.path}: rds.force_ssl = {show(force) if force is not None else '(absent: 0)'}")
    if minimum not in MINIMUM_POSTGRES_TLS:
        return non_compliant(f"{group.path}: ssl_min_protocol_version = "
                             f"{show(minimum) if minimum is not None else '(absent: TLSv1.2 is not enforced)'}")
    return compliant(f"{group.path}: rds.force_ssl = 1; ssl_min_protocol_version = {minimum}")


def _mysql(group: Resource, parameters: dict[str, Any]) -> Check:
    secure, versions = parameters.get("require_secure_transport"), parameters.get("tls_version")
    if str(secure).upper() not in ("ON", "1"):
        return non_compliant(f"{group.path}: require_secure_transport = {show(secure)}")
    if not isinstance(versions, str) or any(v.strip() in ("TLSv1", "TLSv1.1") for v in versions.split(",")):
        return non_compliant(f"{group.path}: tls_version = {show(versions)}")
    return compliant(f"{group.path}: require_secure_transport = ON; tls_version = {versions}")


RULE = Rule(
    name="RdsTlsEnforced",
    clauses=("10.1.1", "CLD.9.5.1"),
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    info="The database does not refuse connections without TLS 1.2 or newer.",
    explanation=(
        "Communication with databases is encrypted with TLS 1.2: the parameter group sets rds.force_ssl = 1 "
        "and ssl_min_protocol_version = TLSv1.2 (PostgreSQL), or require_secure_transport = ON and "
        "tls_version without TLSv1/TLSv1.1 (MySQL)."
    ),
    check=rds_tls_enforced,
)
