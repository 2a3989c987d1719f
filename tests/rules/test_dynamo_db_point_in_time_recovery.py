import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb

from nag_rules import Status
from nag_rules.rules.dynamo_db_point_in_time_recovery import RULE
from tests.helpers import evaluations_of, new_stack, only

KEY = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)


def _recovery(**props):
    return dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True, **props)


def test_noncompliance_1_table_without_recovery():
    stack = new_stack()
    dynamodb.Table(stack, "Table", partition_key=KEY)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "PointInTimeRecoveryEnabled = (absent: false)"


def test_noncompliance_2_global_table_kept_three_days():
    stack = new_stack()
    dynamodb.TableV2(stack, "Table", partition_key=KEY,
                     point_in_time_recovery_specification=_recovery(recovery_period_in_days=3))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("replica ap-northeast-1: PointInTimeRecoveryEnabled = true, "
                                   "RecoveryPeriodInDays = 3 (< 7)")


def test_noncompliance_3_one_replica_without_recovery():
    stack = new_stack()
    dynamodb.TableV2(stack, "Table", partition_key=KEY, point_in_time_recovery_specification=_recovery(),
                     replicas=[dynamodb.ReplicaTableProps(region="ap-northeast-3", point_in_time_recovery_specification=
                               dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=False))])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "replica ap-northeast-3: PointInTimeRecoveryEnabled = false"


def test_noncompliance_4_deploy_time_setting_is_unresolved():
    stack = new_stack()
    enabled = cdk.CfnParameter(stack, "Enabled")
    dynamodb.CfnTable(stack, "Table", key_schema=[{"attributeName": "pk", "keyType": "HASH"}],
                      attribute_definitions=[{"attributeName": "pk", "attributeType": "S"}],
                      billing_mode="PAY_PER_REQUEST",
                      point_in_time_recovery_specification=dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
                          point_in_time_recovery_enabled=cdk.Fn.condition_equals(enabled.value_as_string, "yes")))
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_table_with_default_period():
    stack = new_stack()
    dynamodb.Table(stack, "Table", partition_key=KEY, point_in_time_recovery_specification=_recovery())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "PointInTimeRecoveryEnabled = true, 35 days (the default)"


def test_compliance_2_every_replica_a_week():
    stack = new_stack()
    dynamodb.TableV2(stack, "Table", partition_key=KEY,
                     point_in_time_recovery_specification=_recovery(recovery_period_in_days=7),
                     replicas=[dynamodb.ReplicaTableProps(region="ap-northeast-3")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "replica ap-northeast-3: PointInTimeRecoveryEnabled = true, RecoveryPeriodInDays = 7; "
        "replica ap-northeast-1: PointInTimeRecoveryEnabled = true, RecoveryPeriodInDays = 7")
