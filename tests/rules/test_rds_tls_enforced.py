from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.rds_tls_enforced import RULE
from tests.helpers import evaluations_of, new_stack, only


def _cluster(stack, parameters=None, engine="aurora-postgresql", family="aurora-postgresql16"):
    props = {}
    if parameters is not None:
        group = rds.CfnDBClusterParameterGroup(stack, "Parameters", description="p", family=family,
                                               parameters=parameters)
        props["db_cluster_parameter_group_name"] = group.ref
    rds.CfnDBCluster(stack, "Cluster", engine=engine, master_username="admin", manage_master_user_password=True,
                     **props)


def test_noncompliance_1_default_parameter_group():
    stack = new_stack()
    _cluster(stack)
    assert "default parameter group" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_2_force_ssl_off():
    stack = new_stack()
    _cluster(stack, {"rds.force_ssl": "0", "ssl_min_protocol_version": "TLSv1.2"})
    assert "rds.force_ssl = 0" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_tls_1_1_allowed():
    stack = new_stack()
    _cluster(stack, {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.1"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "TLSv1.1" in evaluation.evidence


def test_noncompliance_4_mysql_allows_tls_1_1():
    stack = new_stack()
    _cluster(stack, {"require_secure_transport": "ON", "tls_version": "TLSv1.1,TLSv1.2"}, engine="aurora-mysql",
             family="aurora-mysql8.0")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_postgres_tls_1_2():
    stack = new_stack()
    _cluster(stack, {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.2"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("rds.force_ssl = 1; ssl_min_protocol_version = TLSv1.2")


def test_compliance_2_mysql_tls_1_2_and_1_3():
    stack = new_stack()
    _cluster(stack, {"require_secure_transport": "ON", "tls_version": "TLSv1.2,TLSv1.3"}, engine="aurora-mysql",
             family="aurora-mysql8.0")
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
