import aws_cdk as cdk
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.guard_duty_protections import RULE
from tests.helpers import evaluations_of, new_stack, only

Feature = guardduty.CfnDetector.CFNFeatureConfigurationProperty
Plan = guardduty.CfnMalwareProtectionPlan


def _detector(stack: cdk.Stack) -> guardduty.CfnDetector:
    return guardduty.CfnDetector(stack, "Detector", enable=True, features=[
        Feature(name=name, status="ENABLED") for name in ("S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION")])


def _customer_bucket(stack: cdk.Stack, construct_id: str, **props) -> s3.Bucket:
    bucket = s3.Bucket(stack, construct_id, versioned=True, **props)
    cdk.Tags.of(bucket).add("DataClassification", "customer")
    return bucket


def _plan(stack: cdk.Stack, construct_id: str, bucket_name: str, **s3_props) -> Plan:
    role = iam.Role(stack, f"{construct_id}Role",
                    assumed_by=iam.ServicePrincipal("malware-protection-plan.guardduty.amazonaws.com"))
    return Plan(stack, construct_id, role=role.role_arn, protected_resource=Plan.CFNProtectedResourceProperty(
        s3_bucket=Plan.S3BucketProperty(bucket_name=bucket_name, **s3_props)))


def test_noncompliance_1_no_features_declared():
    stack = new_stack()
    guardduty.CfnDetector(stack, "Detector", enable=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "DataSources.S3Logs.Enable = (absent)" in evaluation.evidence
    assert "defaults apply only when a detector is created" in evaluation.evidence


def test_noncompliance_2_malware_protection_disabled():
    stack = new_stack()
    guardduty.CfnDetector(stack, "Detector", enable=True, features=[
        Feature(name="S3_DATA_EVENTS", status="ENABLED"), Feature(name="EBS_MALWARE_PROTECTION", status="DISABLED")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "not enabled: Features EBS_MALWARE_PROTECTION = DISABLED"


def test_noncompliance_3_detector_suspended():
    stack = new_stack()
    guardduty.CfnDetector(stack, "Detector", enable=False)
    assert only(evaluations_of(stack, RULE)).evidence.startswith("Enable = false")


def test_noncompliance_4_status_from_a_parameter_is_unresolved():
    stack = new_stack()
    status = cdk.CfnParameter(stack, "Status")
    guardduty.CfnDetector(stack, "Detector", enable=True, features=[
        Feature(name="S3_DATA_EVENTS", status=status.value_as_string),
        Feature(name="EBS_MALWARE_PROTECTION", status="ENABLED")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "Features S3_DATA_EVENTS" in evaluation.evidence and "Ref" in evaluation.evidence


def test_compliance_1_features_enabled():
    stack = new_stack()
    guardduty.CfnDetector(stack, "Detector", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES", features=[
        Feature(name="S3_DATA_EVENTS", status="ENABLED"), Feature(name="EBS_MALWARE_PROTECTION", status="ENABLED"),
        Feature(name="RDS_LOGIN_EVENTS", status="DISABLED")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Enable = true; features: S3_DATA_EVENTS ENABLED, EBS_MALWARE_PROTECTION ENABLED, "
                                   "RDS_LOGIN_EVENTS DISABLED; no customer data bucket in "
                                   "aws://123456789012/ap-northeast-1 needs an S3 malware protection plan")


def test_compliance_2_legacy_data_sources():
    stack = new_stack()
    detector = guardduty.CfnDetector
    detector(stack, "Detector", enable=True, data_sources=detector.CFNDataSourceConfigurationsProperty(
        s3_logs=detector.CFNS3LogsConfigurationProperty(enable=True),
        malware_protection=detector.CFNMalwareProtectionConfigurationProperty(
            scan_ec2_instance_with_findings=detector.CFNScanEc2InstanceWithFindingsConfigurationProperty(
                ebs_volumes=True))))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "S3_DATA_EVENTS ENABLED by DataSources.S3Logs.Enable = true" in evaluation.evidence
    assert "EBS_MALWARE_PROTECTION ENABLED by DataSources.MalwareProtection" in evaluation.evidence


def test_noncompliance_5_customer_bucket_without_a_malware_protection_plan():
    stack = new_stack()
    _detector(stack)
    uploads = _customer_bucket(stack, "Uploads")
    _customer_bucket(stack, "Records")
    _plan(stack, "Plan", uploads.bucket_name)
    operations = s3.Bucket(stack, "Operations")
    cdk.Tags.of(operations).add("DataClassification", "operations")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("customer data buckets without an S3 malware protection plan "
                                   "(AWS::GuardDuty::MalwareProtectionPlan): Test/Records/Resource")


def test_noncompliance_6_plan_of_a_parameter_bucket_is_unresolved():
    stack = new_stack()
    _detector(stack)
    _customer_bucket(stack, "Uploads")
    _plan(stack, "Plan", cdk.CfnParameter(stack, "BucketName").value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence.startswith("Test/Uploads/Resource: Test/Plan: BucketName = {\"Ref\":\"BucketName\"}")


def test_compliance_3_customer_buckets_scanned_by_reference_and_by_name():
    stack = new_stack()
    _detector(stack)
    uploads = _customer_bucket(stack, "Uploads")
    _customer_bucket(stack, "Records", bucket_name="records-123456789012")
    _plan(stack, "UploadsPlan", uploads.bucket_name, object_prefixes=["incoming/"])
    _plan(stack, "RecordsPlan", "records-123456789012")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith(
        "S3 malware protection: Test/Uploads/Resource by Test/UploadsPlan (only objects under [\"incoming/\"]); "
        "Test/Records/Resource by Test/RecordsPlan")
