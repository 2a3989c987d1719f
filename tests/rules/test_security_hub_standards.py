import aws_cdk as cdk
from aws_cdk import aws_securityhub as securityhub

from nag_rules import Status
from nag_rules.rules.security_hub_standards import RULE
from tests.helpers import evaluations_of, new_stack, only

FSBP = f"arn:aws:securityhub:{cdk.Aws.REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_V5 = f"arn:aws:securityhub:{cdk.Aws.REGION}::standards/cis-aws-foundations-benchmark/v/5.0.0"


def _hub(stack: cdk.Stack, *arns: str, **props) -> securityhub.CfnHub:
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
        "Test/Standard1 (arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/5.0.0)")


def test_compliance_2_default_standards_and_cis_v5_with_disabled_controls():
    stack = new_stack()
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
