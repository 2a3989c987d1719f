import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2

from constructs_lib import DataClass, DataClassKey, WebApplicationFirewall
from nag_rules import Status
from nag_rules.rules.web_acl_protections import REQUIRED_MANAGED_RULE_GROUPS, RULE
from tests.helpers import TOKYO, evaluations_of, new_stack, only


def _visibility(name):
    return {"cloudWatchMetricsEnabled": True, "metricName": name, "sampledRequestsEnabled": True}


def _acl(stack, construct_id="Acl", groups=REQUIRED_MANAGED_RULE_GROUPS, counting=(), rate_action="block"):
    rules = [{"name": group, "priority": index, "visibilityConfig": _visibility(group),
              "overrideAction": {"count": {}} if group in counting else {"none": {}},
              "statement": {"managedRuleGroupStatement": {"vendorName": "AWS", "name": group}}}
             for index, group in enumerate(groups)]
    if rate_action:
        rules.append({"name": "RateLimit", "priority": len(rules), "visibilityConfig": _visibility("RateLimit"),
                      "action": {rate_action: {}},
                      "statement": {"rateBasedStatement": {"limit": 1000, "aggregateKeyType": "IP"}}})
    return wafv2.CfnWebACL(stack, construct_id, scope="REGIONAL", default_action={"allow": {}}, rules=rules,
                           visibility_config=_visibility(construct_id))


def _log_group(stack, retention=logs.RetentionDays.ONE_YEAR):
    return logs.LogGroup(stack, "Logs", log_group_name="aws-waf-logs-test", retention=retention)


def _logging(stack, acl, destination, construct_id="Logging"):
    return wafv2.CfnLoggingConfiguration(stack, construct_id, resource_arn=acl.attr_arn,
                                         log_destination_configs=[destination])


def _bucket(stack, **props):
    return s3.Bucket(stack, "WafLogs", bucket_name="aws-waf-logs-test-123456789012", **props)


def test_noncompliance_1_missing_managed_group():
    stack = new_stack()
    acl = _acl(stack, groups=REQUIRED_MANAGED_RULE_GROUPS[:3])
    _logging(stack, acl, _log_group(stack).log_group_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "missing: AWSManagedRulesSQLiRuleSet" in evaluation.evidence


def test_noncompliance_2_managed_group_in_count_mode():
    stack = new_stack()
    acl = _acl(stack, counting=("AWSManagedRulesCommonRuleSet",))
    _logging(stack, acl, _log_group(stack).log_group_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert 'only count, not block: AWSManagedRulesCommonRuleSet (OverrideAction = {"Count":{}})' in evaluation.evidence


def test_noncompliance_3_no_rate_rule():
    stack = new_stack()
    acl = _acl(stack, rate_action=None)
    _logging(stack, acl, _log_group(stack).log_group_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "no rate-based rule" in evaluation.evidence


def test_noncompliance_4_rate_rule_that_only_counts():
    stack = new_stack()
    acl = _acl(stack, rate_action="count")
    _logging(stack, acl, _log_group(stack).log_group_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "do not block: RateLimit (Action = " in evaluation.evidence


def test_noncompliance_5_no_logging_configuration():
    stack = new_stack()
    _acl(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "no AWS::WAFv2::LoggingConfiguration" in evaluation.evidence


def test_noncompliance_6_logging_of_another_acl_does_not_count():
    stack = new_stack()
    _acl(stack)
    _logging(stack, _acl(stack, "Other"), _log_group(stack).log_group_arn)
    statuses = {e.resource.path: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"Test/Acl": Status.VIOLATED, "Test/Other": Status.COMPLIANT}


def test_noncompliance_7_log_group_kept_30_days():
    stack = new_stack()
    _logging(stack, _acl(stack), _log_group(stack, logs.RetentionDays.ONE_MONTH).log_group_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Logs/Resource" in evaluation.evidence and "RetentionInDays = 30" in evaluation.evidence


def test_noncompliance_8_bucket_expiring_after_90_days():
    stack = new_stack()
    bucket = _bucket(stack, lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))])
    _logging(stack, _acl(stack), bucket.bucket_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/WafLogs/Resource" in evaluation.evidence and "ExpirationInDays = 90" in evaluation.evidence


def test_noncompliance_9_firehose_destination_is_unresolved():
    stack = new_stack()
    role = iam.Role(stack, "Delivery", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
    stream = firehose.CfnDeliveryStream(stack, "Stream", delivery_stream_name="aws-waf-logs-test",
                                        s3_destination_configuration={"bucketArn": _bucket(stack).bucket_arn,
                                                                      "roleArn": role.role_arn})
    _logging(stack, _acl(stack), stream.attr_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "Firehose stream Test/Stream" in evaluation.evidence


def test_noncompliance_10_destination_outside_the_app_is_unresolved():
    stack = new_stack()
    _logging(stack, _acl(stack), "arn:aws:s3:::aws-waf-logs-elsewhere")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "outside this app" in evaluation.evidence


def test_noncompliance_11_destination_parameter_is_unresolved():
    stack = new_stack()
    _logging(stack, _acl(stack), cdk.CfnParameter(stack, "Destination").value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "known only at deploy time" in evaluation.evidence


def test_compliance_1_full_acl_logging_to_a_365_day_log_group():
    stack = new_stack()
    _logging(stack, _acl(stack), _log_group(stack).log_group_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert all(group in evaluation.evidence for group in REQUIRED_MANAGED_RULE_GROUPS)
    assert "rate rule RateLimit blocks above Limit = 1000" in evaluation.evidence
    assert "logs go to log group Test/Logs/Resource (RetentionInDays = 365)" in evaluation.evidence


def test_compliance_2_full_acl_logging_to_a_bucket_without_expiry():
    stack = new_stack()
    _logging(stack, _acl(stack), _bucket(stack).bucket_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "bucket Test/WafLogs/Resource (no LifecycleConfiguration" in evaluation.evidence


def test_compliance_3_bucket_keeping_current_logs_past_a_year():
    stack = new_stack()
    bucket = _bucket(stack, versioned=True, lifecycle_rules=[s3.LifecycleRule(
        expiration=cdk.Duration.days(400), noncurrent_version_expiration=cdk.Duration.days(30))])
    _logging(stack, _acl(stack), bucket.bucket_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "after 400 days at the earliest" in evaluation.evidence


def test_compliance_4_project_firewall_logs_to_its_log_group_named_by_arn():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="test")
    WebApplicationFirewall(stack, "Firewall", name="test-entry", rate_limit=2000, log_key=key)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "logs go to log group Test/Firewall/Logs/Resource (RetentionInDays = 365)" in evaluation.evidence


def test_compliance_5_edge_firewall_logs_to_a_bucket_of_another_stack_named_by_arn():
    stack = new_stack()
    logs_stack = cdk.Stack(stack.node.root, "Logs", env=TOKYO)
    s3.Bucket(logs_stack, "EdgeLogs", bucket_name="aws-waf-logs-test-edge-123456789012")
    WebApplicationFirewall(stack, "Firewall", name="test-edge", rate_limit=2000, edge=True,
                           log_bucket_arn="arn:aws:s3:::aws-waf-logs-test-edge-123456789012")
    evaluation = only(evaluations_of(stack.node.root, RULE))
    assert evaluation.status is Status.COMPLIANT and "bucket Logs/EdgeLogs/Resource" in evaluation.evidence
