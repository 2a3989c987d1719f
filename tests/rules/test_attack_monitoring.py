import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2

from nag_rules import Status
from nag_rules.rules.attack_monitoring import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

EDGE = cdk.Environment(account="123456789012", region="us-east-1")


def _acl(stack, scope="REGIONAL", name="shop-entry", metrics=True):
    visibility = wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=metrics, metric_name=name,
                                                          sampled_requests_enabled=False)
    return wafv2.CfnWebACL(stack, "Acl", name=name, scope=scope, visibility_config=visibility,
                           default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}))


def _alarm(stack, dimensions, with_action=True, threshold=1000):
    alarm = cloudwatch.Metric(namespace="AWS/WAFV2", metric_name="BlockedRequests", dimensions_map=dimensions,
                              statistic="Sum").create_alarm(stack, "Blocked", threshold=threshold, evaluation_periods=1)
    if with_action:
        alarm.add_alarm_action(actions.SnsAction(sns.Topic(stack, "Topic")))
    return alarm


def test_noncompliance_1_web_acl_without_alarm():
    stack = new_stack()
    _acl(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("no alarm with an action that can fire watches AWS/WAFV2 BlockedRequests by "
                                   "WebACL = shop-entry, Rule = ALL, Region = ap-northeast-1")


def test_noncompliance_2_regional_alarm_without_the_region_dimension():
    stack = new_stack()
    _acl(stack)
    _alarm(stack, {"WebACL": "shop-entry", "Rule": "ALL"})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_3_alarm_on_one_rule_only():
    stack = new_stack()
    _acl(stack)
    _alarm(stack, {"WebACL": "shop-entry", "Rule": "RateLimit", "Region": "ap-northeast-1"})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_4_edge_acl_alarmed_in_tokyo():
    app = new_app()
    edge, operations = cdk.Stack(app, "Edge", env=EDGE), cdk.Stack(app, "Operations", env=TOKYO)
    _acl(edge, scope="CLOUDFRONT", name="shop-edge")
    _alarm(operations, {"WebACL": "shop-edge", "Rule": "ALL"})
    evaluation = only(evaluations_of(edge, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "(Operations/Blocked/Resource (in region ap-northeast-1, where no AWS/WAFV2 BlockedRequests of it is " \
           "published (us-east-1)))" in evaluation.evidence


def test_noncompliance_5_alarm_without_action():
    stack = new_stack()
    _acl(stack)
    _alarm(stack, {"WebACL": "shop-entry", "Rule": "ALL", "Region": "ap-northeast-1"}, with_action=False)
    assert "Test/Blocked/Resource (no AlarmActions)" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_6_web_acl_without_metrics():
    stack = new_stack()
    _acl(stack, metrics=False)
    assert "CloudWatchMetricsEnabled is not true" in only(evaluations_of(stack, RULE)).evidence


def test_compliance_1_regional_web_acl():
    stack = new_stack()
    _acl(stack)
    _alarm(stack, {"WebACL": "shop-entry", "Rule": "ALL", "Region": "ap-northeast-1"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Test/Blocked/Resource (GreaterThanOrEqualToThreshold 1000) watches AWS/WAFV2 "
                                   "BlockedRequests by WebACL = shop-entry, Rule = ALL, Region = ap-northeast-1")


def test_compliance_2_cloudfront_web_acl_alarmed_in_us_east_1():
    stack = new_stack(EDGE)
    _acl(stack, scope="CLOUDFRONT", name="shop-edge")
    _alarm(stack, {"WebACL": "shop-edge", "Rule": "ALL"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("by WebACL = shop-edge, Rule = ALL (no Region) in us-east-1")


def test_unresolved_1_web_acl_dimension_from_a_parameter():
    stack = new_stack()
    _acl(stack)
    name = cdk.CfnParameter(stack, "AclName", type="String")
    _alarm(stack, {"WebACL": name.value_as_string, "Rule": "ALL", "Region": "ap-northeast-1"})
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED
