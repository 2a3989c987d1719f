import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.s3_bucket_tls_only import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_no_bucket_policy():
    stack = new_stack()
    s3.Bucket(stack, "Bucket")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no bucket policy")


def test_noncompliance_2_ssl_enforced_but_old_tls_allowed():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", enforce_ssl=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no Deny of s3:TlsVersion < 1.2" in evaluation.evidence
    assert "aws:SecureTransport" not in evaluation.evidence


def test_noncompliance_3_minimum_tls_below_1_2():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", enforce_ssl=True, minimum_tls_version=1.1)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_4_deny_limited_to_one_principal():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    for condition in ({"Bool": {"aws:SecureTransport": "false"}}, {"NumericLessThan": {"s3:TlsVersion": 1.2}}):
        bucket.add_to_resource_policy(iam.PolicyStatement(
            effect=iam.Effect.DENY, actions=["s3:*"], principals=[iam.AccountRootPrincipal()],
            resources=[bucket.bucket_arn, bucket.arn_for_objects("*")], conditions=condition))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_5_deny_only_on_objects():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    for condition in ({"Bool": {"aws:SecureTransport": "false"}}, {"NumericLessThan": {"s3:TlsVersion": 1.2}}):
        bucket.add_to_resource_policy(iam.PolicyStatement(
            effect=iam.Effect.DENY, actions=["s3:*"], principals=[iam.AnyPrincipal()],
            resources=[bucket.arn_for_objects("*")], conditions=condition))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_6_condition_from_a_parameter_is_unresolved():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    version = cdk.CfnParameter(stack, "MinimumTls", type="String")
    bucket.add_to_resource_policy(iam.PolicyStatement(
        effect=iam.Effect.DENY, actions=["s3:*"], principals=[iam.AnyPrincipal()],
        resources=[bucket.bucket_arn, bucket.arn_for_objects("*")],
        conditions={"NumericLessThan": {"s3:TlsVersion": version.value_as_string}}))
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_enforce_ssl_with_tls_1_2():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", enforce_ssl=True, minimum_tls_version=1.2)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("Test/Bucket/Policy/Resource denies aws:SecureTransport = false")


def test_compliance_2_tls_1_3_minimum():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", enforce_ssl=True, minimum_tls_version=1.3)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_3_hand_written_policy_with_wildcard_resource():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    for condition in ({"Bool": {"aws:SecureTransport": "false"}}, {"NumericLessThan": {"s3:TlsVersion": "1.2"}}):
        bucket.add_to_resource_policy(iam.PolicyStatement(
            effect=iam.Effect.DENY, actions=["*"], principals=[iam.StarPrincipal()],
            resources=["*"], conditions=condition))
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_noncompliance_7_grants_with_deploy_time_values_do_not_hide_a_missing_deny():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket", enforce_ssl=True)
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    bucket.add_to_resource_policy(iam.PolicyStatement(
        actions=["s3:GetObject"], principals=[iam.ArnPrincipal(role.role_arn)],
        resources=[bucket.arn_for_objects("*")]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no Deny of s3:TlsVersion < 1.2" in evaluation.evidence


def test_noncompliance_8_deny_on_another_attribute_of_the_bucket():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    for condition in ({"Bool": {"aws:SecureTransport": "false"}}, {"NumericLessThan": {"s3:TlsVersion": 1.2}}):
        bucket.add_to_resource_policy(iam.PolicyStatement(
            effect=iam.Effect.DENY, actions=["s3:*"], principals=[iam.AnyPrincipal()],
            resources=[bucket.bucket_domain_name, bucket.arn_for_objects("*")], conditions=condition))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_9_policy_created_only_under_a_condition_is_unresolved():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket", enforce_ssl=True, minimum_tls_version=1.2)
    condition = cdk.CfnCondition(stack, "Production", expression=cdk.Fn.condition_equals("a", "b"))
    bucket.policy.node.default_child.cfn_options.condition = condition
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "exists only if Condition Production holds" in evaluation.evidence


def test_compliance_4_literal_arns_of_a_named_bucket():
    stack = new_stack()
    bucket = s3.CfnBucket(stack, "Bucket", bucket_name="tomolinks-materials")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": condition,
         "Resource": ["arn:aws:s3:::tomolinks-materials", "arn:aws:s3:::tomolinks-materials/*"]}
        for condition in ({"Bool": {"aws:SecureTransport": "false"}}, {"NumericLessThan": {"s3:TlsVersion": "1.2"}})
    ]}
    s3.CfnBucketPolicy(stack, "Policy", bucket=bucket.ref, policy_document=policy)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
