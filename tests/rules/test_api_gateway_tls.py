from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm

from nag_rules import Status
from nag_rules.rules.api_gateway_tls import RULE
from tests.helpers import evaluations_of, new_stack, only

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def test_noncompliance_1_default_endpoint_enabled():
    stack = new_stack()
    apigateway.CfnRestApi(stack, "Api", name="api")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "execute-api" in evaluation.evidence


def test_noncompliance_2_domain_with_tls_1_0():
    stack = new_stack()
    apigateway.DomainName(stack, "Domain", domain_name="api.example.com",
                          certificate=acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE),
                          security_policy=apigateway.SecurityPolicy.TLS_1_0)
    assert only(evaluations_of(stack, RULE)).evidence == "SecurityPolicy = TLS_1_0"


def test_compliance_1_default_endpoint_disabled():
    stack = new_stack()
    apigateway.CfnRestApi(stack, "Api", name="api", disable_execute_api_endpoint=True)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_2_domain_with_tls_1_2():
    stack = new_stack()
    apigateway.DomainName(stack, "Domain", domain_name="api.example.com",
                          certificate=acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE),
                          security_policy=apigateway.SecurityPolicy.TLS_1_2)
    assert only(evaluations_of(stack, RULE)).evidence == "SecurityPolicy = TLS_1_2"


def test_noncompliance_3_http_api_domain_without_a_policy():
    from aws_cdk import aws_apigatewayv2 as apigwv2

    stack = new_stack()
    apigwv2.CfnDomainName(stack, "Domain", domain_name="api.example.com", domain_name_configurations=[
        apigwv2.CfnDomainName.DomainNameConfigurationProperty(certificate_arn=CERTIFICATE)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and evaluation.evidence == "SecurityPolicy = TLS_1_0"


def test_compliance_3_http_api_domain_with_tls_1_2_and_a_referenced_certificate():
    from aws_cdk import aws_apigatewayv2 as apigwv2

    stack = new_stack()
    certificate = acm.Certificate(stack, "Certificate", domain_name="api.example.com")
    apigwv2.CfnDomainName(stack, "Domain", domain_name="api.example.com", domain_name_configurations=[
        apigwv2.CfnDomainName.DomainNameConfigurationProperty(certificate_arn=certificate.certificate_arn,
                                                               security_policy="TLS_1_2")])
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_unresolved_1_policy_from_a_parameter():
    import aws_cdk as cdk

    stack = new_stack()
    policy = cdk.CfnParameter(stack, "Policy", type="String")
    apigateway.CfnDomainName(stack, "Domain", domain_name="api.example.com", regional_certificate_arn=CERTIFICATE,
                             security_policy=policy.value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_4_rest_api_with_an_enhanced_security_policy():
    stack = new_stack()
    apigateway.CfnRestApi(stack, "Api", name="api", security_policy="SecurityPolicy_TLS13_1_2_2021_06",
                          endpoint_access_mode=apigateway.EndpointAccessMode.STRICT.value,
                          endpoint_configuration=apigateway.CfnRestApi.EndpointConfigurationProperty(types=["REGIONAL"]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "SecurityPolicy = SecurityPolicy_TLS13_1_2_2021_06, EndpointAccessMode = STRICT"


def test_noncompliance_4_rest_api_with_tls_1_0_even_behind_custom_domains():
    stack = new_stack()
    apigateway.CfnRestApi(stack, "Api", name="api", security_policy="TLS_1_0", disable_execute_api_endpoint=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "SecurityPolicy = TLS_1_0" in evaluation.evidence


def test_compliance_5_private_rest_api():
    stack = new_stack()
    api = apigateway.RestApi(stack, "Api", endpoint_types=[apigateway.EndpointType.PRIVATE], deploy=False)
    api.root.add_method("GET", apigateway.MockIntegration())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "PRIVATE" in evaluation.evidence


def test_noncompliance_5_regional_rest_api_l2():
    stack = new_stack()
    api = apigateway.RestApi(stack, "Api", endpoint_types=[apigateway.EndpointType.REGIONAL], deploy=False)
    api.root.add_method("GET", apigateway.MockIntegration())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "execute-api" in evaluation.evidence


def _private_domain(stack, **props):
    return apigateway.CfnDomainNameV2(
        stack, "PrivateDomain", domain_name="api.internal.example.com", certificate_arn=CERTIFICATE,
        endpoint_configuration=apigateway.CfnDomainNameV2.EndpointConfigurationProperty(types=["PRIVATE"]), **props)


def test_noncompliance_6_private_domain_without_a_policy():
    stack = new_stack()
    _private_domain(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and evaluation.evidence == "SecurityPolicy = (absent)"


def test_compliance_6_private_domain_with_tls_1_2():
    stack = new_stack()
    _private_domain(stack, security_policy="SecurityPolicy_TLS13_1_2_2021_06", endpoint_access_mode="STRICT")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "SecurityPolicy = SecurityPolicy_TLS13_1_2_2021_06"


def test_unresolved_2_rest_api_policy_from_a_parameter():
    import aws_cdk as cdk

    stack = new_stack()
    apigateway.CfnRestApi(stack, "Api", name="api",
                          security_policy=cdk.CfnParameter(stack, "Policy", type="String").value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED
