import aws_cdk as cdk
from aws_cdk import aws_config as config
from aws_cdk import aws_securityhub as securityhub

from nag_rules import Status
from nag_rules.rules.security_hub_standards import RULE
from tests.helpers import evaluations_of, new_stack, only

FSBP = f"arn:aws:securityhub:{cdk.Aws.REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_V5 = f"arn:aws:securityhub:{cdk.Aws.REGION}::standards/cis-aws-foundations-benchmark/v/5.0.0"


CONFIG_ROLE = "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def _recorder(stack: cdk.Stack) -> config.CfnConfigurationRecorder:
    return config.CfnConfigurationRecorder(stack, "Recorder", role_arn=CONFIG_ROLE)


def _hub(stack: cdk.Stack, *arns: str, recorder: bool = True, **props) -> securityhub.CfnHub:
    if recorder:
        _recorder(stack)
    hub = securityhub.CfnHub(stack, "Hub", **props)
    for index, arn in enumerate(arns):
        securityhub.CfnStandard(stack, f"Standard{index}", standards_arn=arn).node.add_dependency(hub)
    return hub


def test_noncompliance_1_default_standards_only():
    stack = new_stack()
    _hub(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("not enabled in aws://123456789012/ap-northeast-1: CIS AWS Foundations "
                                          "Benchmark v5.0.0 (expected arn:aws:securityhub:ap-northeast-1::"
                                          "standards/cis-aws-foundations-benchmark/v/5.0.0)")


def test_noncompliance_2_standards_of_another_region():
    stack = new_stack()
    _hub(stack, FSBP.replace(cdk.Aws.REGION, "us-east-1"), CIS_V5.replace(cdk.Aws.REGION, "us-east-1"),
         enable_default_standards=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "AWS Foundational Security Best Practices v1.0.0, CIS AWS Foundations Benchmark v5.0.0" in evaluation.evidence
    assert "other standards: Test/Standard0 (arn:aws:securityhub:us-east-1::" in evaluation.evidence


def test_noncompliance_3_cis_v1_2_is_not_cis_v5():
    stack = new_stack()
    _hub(stack, FSBP, "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
         enable_default_standards=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "not enabled in aws://123456789012/ap-northeast-1: CIS AWS Foundations Benchmark v5.0.0" in evaluation.evidence


def test_noncompliance_4_standard_from_a_parameter_is_unresolved():
    stack = new_stack()
    arn = cdk.CfnParameter(stack, "StandardArn")
    _hub(stack, FSBP, arn.value_as_string, enable_default_standards=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "Test/Standard1: StandardsArn" in evaluation.evidence


def test_noncompliance_5_region_unknown_at_synth_is_unresolved():
    stack = new_stack(env=None)
    _hub(stack, FSBP, CIS_V5, enable_default_standards=False)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_fsbp_and_cis_v5_in_the_stack_region():
    stack = new_stack()
    _hub(stack, FSBP, CIS_V5, enable_default_standards=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "AWS Foundational Security Best Practices v1.0.0: Test/Standard0 (arn:aws:securityhub:ap-northeast-1::"
        "standards/aws-foundational-security-best-practices/v/1.0.0); CIS AWS Foundations Benchmark v5.0.0: "
        "Test/Standard1 (arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/5.0.0); "
        "GuardDuty.1, Config.1, CloudTrail.1, CloudTrail.2, Inspector.1, Inspector.2, SSM.2 not disabled; "
        "AWS Config recorder Test/Recorder")


def test_compliance_2_default_standards_and_cis_v5_with_disabled_controls():
    stack = new_stack()
    _recorder(stack)
    hub = securityhub.CfnHub(stack, "Hub", enable_default_standards=True)
    securityhub.CfnStandard(
        stack, "Cis", standards_arn="arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
        disabled_standards_controls=[securityhub.CfnStandard.StandardsControlProperty(
            standards_control_arn="arn:aws:securityhub:ap-northeast-1:123456789012:control/"
                                  "cis-aws-foundations-benchmark/v/5.0.0/1.1",
            reason="root contact details are kept by the organisation")],
    ).node.add_dependency(hub)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "EnableDefaultStandards = true, which enables FSBP and CIS v1.2.0 only" in evaluation.evidence
    assert "controls disabled: 1.1" in evaluation.evidence


def _disabling(stack: cdk.Stack, construct_id: str, standard: str, *controls: str) -> securityhub.CfnStandard:
    return securityhub.CfnStandard(
        stack, construct_id, standards_arn=f"arn:aws:securityhub:ap-northeast-1::standards/{standard}",
        disabled_standards_controls=[securityhub.CfnStandard.StandardsControlProperty(
            standards_control_arn=f"arn:aws:securityhub:ap-northeast-1:123456789012:control/{standard}/{control}",
            reason="noise") for control in controls])


def test_noncompliance_6_monitoring_controls_disabled():
    stack = new_stack()
    _recorder(stack)
    hub = securityhub.CfnHub(stack, "Hub", enable_default_standards=False)
    _disabling(stack, "Fsbp", "aws-foundational-security-best-practices/v/1.0.0",
               "GuardDuty.1", "Inspector.1", "EC2.10").add_dependency(hub)
    _disabling(stack, "Cis", "cis-aws-foundations-benchmark/v/5.0.0", "3.3", "1.1").add_dependency(hub)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("controls disabled: GuardDuty.1 in Test/Fsbp, Inspector.1 in Test/Fsbp, "
                                   "Config.1 in Test/Cis")


def test_noncompliance_7_no_config_recorder():
    stack = new_stack()
    _hub(stack, FSBP, CIS_V5, recorder=False, enable_default_standards=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no AWS::Config::ConfigurationRecorder in aws://123456789012/ap-northeast-1")


def test_noncompliance_8_recorder_in_another_region_does_not_count():
    app_stack = new_stack()
    _hub(app_stack, FSBP, CIS_V5, recorder=False, enable_default_standards=False)
    other = cdk.Stack(app_stack.node.scope, "Virginia", env=cdk.Environment(account="123456789012",
                                                                            region="us-east-1"))
    _recorder(other)
    evaluation = only(evaluations_of(app_stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no AWS::Config::ConfigurationRecorder" in evaluation.evidence


def test_noncompliance_9_disabled_control_from_a_parameter_is_unresolved():
    stack = new_stack()
    hub = _hub(stack, FSBP, enable_default_standards=False)
    control = cdk.CfnParameter(stack, "Control")
    securityhub.CfnStandard(stack, "Cis", standards_arn=CIS_V5, disabled_standards_controls=[
        securityhub.CfnStandard.StandardsControlProperty(standards_control_arn=control.value_as_string,
                                                         reason="noise")]).add_dependency(hub)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "Test/Cis: DisabledStandardsControls holds" in evaluation.evidence
