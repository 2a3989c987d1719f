import aws_cdk as cdk
from aws_cdk import aws_guardduty as guardduty

from nag_rules import Status
from nag_rules.rules.guard_duty_protections import RULE
from tests.helpers import evaluations_of, new_stack, only

Feature = guardduty.CfnDetector.CFNFeatureConfigurationProperty


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
                                   "RDS_LOGIN_EVENTS DISABLED")


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
