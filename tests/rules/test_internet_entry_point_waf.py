import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancing as elb
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2

from nag_rules import Status
from nag_rules.rules.internet_entry_point_waf import RULE
from tests.helpers import evaluations_of, new_stack, only

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])


def _balancer(stack, **props):
    return elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=_vpc(stack), **props)


def _web_acl(stack):
    return wafv2.CfnWebACL(stack, "Acl", scope="REGIONAL", default_action={"allow": {}}, visibility_config={
        "cloudWatchMetricsEnabled": True, "metricName": "acl", "sampledRequestsEnabled": True})


def _rest_api(stack, **props):
    api = apigateway.RestApi(stack, "Api", **props)
    api.root.add_method("GET")
    return api


def _stage(stack):
    return next(e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::ApiGateway::Stage")


def _function(stack):
    return lambda_.Function(stack, "Function", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline("def handler(event, context):\n    return {}"))


def _cfn_balancer(stack, **props):
    vpc = _vpc(stack)
    return elbv2.CfnLoadBalancer(stack, "Raw", subnets=[s.subnet_id for s in vpc.public_subnets], **props)


def test_noncompliance_1_internet_facing_without_waf():
    stack = new_stack()
    _balancer(stack, internet_facing=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED


def test_noncompliance_2_waf_on_another_balancer_does_not_count():
    stack = new_stack()
    balancer = _balancer(stack, internet_facing=True)
    other = elbv2.ApplicationLoadBalancer(stack, "Other", vpc=balancer.vpc, internet_facing=True)
    wafv2.CfnWebACLAssociation(stack, "Protects", resource_arn=other.load_balancer_arn,
                               web_acl_arn=_web_acl(stack).attr_arn)
    statuses = {e.resource.path: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"Test/Balancer/Resource": Status.VIOLATED, "Test/Other/Resource": Status.COMPLIANT}


def test_noncompliance_3_cloudfront_without_web_acl():
    stack = new_stack()
    cloudfront.CfnDistribution(stack, "Cdn", distribution_config={
        "enabled": True, "defaultCacheBehavior": {"targetOriginId": "o", "viewerProtocolPolicy": "https-only",
                                                  "cachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "origins": [{"id": "o", "domainName": "example.com",
                     "customOriginConfig": {"originProtocolPolicy": "https-only"}}]})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_4_scheme_parameter_is_unresolved_not_internal():
    stack = new_stack()
    scheme = cdk.CfnParameter(stack, "Scheme", allowed_values=["internal", "internet-facing"])
    _cfn_balancer(stack, scheme=scheme.value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "Scheme" in evaluation.evidence


def test_noncompliance_5_scheme_condition_is_unresolved():
    stack = new_stack()
    public = cdk.CfnCondition(stack, "Public", expression=cdk.Fn.condition_equals(cdk.Aws.REGION, "ap-northeast-1"))
    _cfn_balancer(stack, scheme=cdk.Fn.condition_if(public.logical_id, "internet-facing", "internal").to_string())
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_noncompliance_6_type_parameter_is_unresolved():
    stack = new_stack()
    kind = cdk.CfnParameter(stack, "Kind", allowed_values=["application", "network"])
    _cfn_balancer(stack, scheme="internet-facing", type=kind.value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "Type" in evaluation.evidence


def test_noncompliance_7_internet_facing_network_load_balancer():
    stack = new_stack()
    elbv2.NetworkLoadBalancer(stack, "Nlb", vpc=_vpc(stack), internet_facing=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "network load balancer" in evaluation.evidence


def test_noncompliance_8_api_stage_without_association():
    stack = new_stack()
    _rest_api(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "WebACLAssociation" in evaluation.evidence


def test_noncompliance_9_association_of_another_stage_does_not_count():
    stack = new_stack()
    api = _rest_api(stack)
    wafv2.CfnWebACLAssociation(stack, "Protects", web_acl_arn=_web_acl(stack).attr_arn, resource_arn=cdk.Fn.join(
        "", [f"arn:aws:apigateway:{stack.region}::/restapis/", api.rest_api_id, "/stages/test"]))
    assert _stage(stack).status is Status.VIOLATED


def test_noncompliance_10_http_api_with_default_endpoint():
    stack = new_stack()
    apigatewayv2.HttpApi(stack, "Http")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "HTTP API" in evaluation.evidence


def test_noncompliance_11_websocket_api_with_default_endpoint():
    stack = new_stack()
    apigatewayv2.WebSocketApi(stack, "Socket")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "WEBSOCKET API" in evaluation.evidence


def test_noncompliance_12_http_api_behind_a_custom_domain_is_unresolved():
    stack = new_stack()
    domain = apigatewayv2.DomainName(stack, "Domain", domain_name="api.example.com",
                                     certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE))
    apigatewayv2.HttpApi(stack, "Http", disable_execute_api_endpoint=True,
                         default_domain_mapping=apigatewayv2.DomainMappingOptions(domain_name=domain))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "Test/Domain" in evaluation.evidence


def test_noncompliance_13_internet_facing_classic_load_balancer():
    stack = new_stack()
    elb.LoadBalancer(stack, "Classic", vpc=_vpc(stack), internet_facing=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "Classic" in evaluation.evidence


def test_noncompliance_14_appsync_api_without_association():
    stack = new_stack()
    appsync.CfnGraphQLApi(stack, "Graph", name="graph", authentication_type="API_KEY")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_15_public_function_url():
    stack = new_stack()
    _function(stack).add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "AuthType = NONE" in evaluation.evidence


def test_noncompliance_16_association_to_a_parameter_is_unresolved():
    stack = new_stack()
    _balancer(stack, internet_facing=True)
    target = cdk.CfnParameter(stack, "Target")
    wafv2.CfnWebACLAssociation(stack, "Protects", resource_arn=target.value_as_string,
                               web_acl_arn=_web_acl(stack).attr_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "Test/Protects" in evaluation.evidence


def test_noncompliance_17_stage_of_an_api_outside_the_app_is_unresolved():
    stack = new_stack()
    apigateway.CfnStage(stack, "Stage", rest_api_id="abc123", deployment_id="dep123", stage_name="prod")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "RestApiId = abc123" in evaluation.evidence


def test_noncompliance_18_deployment_creating_a_stage_without_association():
    stack = new_stack()
    api = _rest_api(stack, deploy=False)
    apigateway.CfnDeployment(stack, "Deployment", rest_api_id=api.rest_api_id, stage_name="v1")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and evaluation.resource.path == "Test/Deployment"


def test_compliance_1_associated_web_acl():
    stack = new_stack()
    balancer = _balancer(stack, internet_facing=True)
    wafv2.CfnWebACLAssociation(stack, "Protects", resource_arn=balancer.load_balancer_arn,
                               web_acl_arn=_web_acl(stack).attr_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "web ACL Test/Acl protects it through Test/Protects"


def test_compliance_2_internal_balancer_is_not_an_entry_point():
    stack = new_stack()
    _balancer(stack, internet_facing=False)
    assert evaluations_of(stack, RULE) == []


def test_compliance_3_stage_associated_through_cdk_stage_arn():
    stack = new_stack()
    api = _rest_api(stack)
    wafv2.CfnWebACLAssociation(stack, "Protects", resource_arn=api.deployment_stage.stage_arn,
                               web_acl_arn=_web_acl(stack).attr_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "Test/Protects" in evaluation.evidence


def test_compliance_4_stage_associated_through_a_joined_arn():
    stack = new_stack()
    api = _rest_api(stack)
    wafv2.CfnWebACLAssociation(stack, "Protects", web_acl_arn=_web_acl(stack).attr_arn, resource_arn=cdk.Fn.join(
        "", [f"arn:aws:apigateway:{stack.region}::/restapis/", api.rest_api_id, "/stages/prod"]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "Test/Protects" in evaluation.evidence


def test_compliance_5_private_api_is_not_an_entry_point():
    stack = new_stack()
    _rest_api(stack, endpoint_types=[apigateway.EndpointType.PRIVATE])
    assert evaluations_of(stack, RULE) == []


def test_compliance_6_http_api_without_default_endpoint():
    stack = new_stack()
    apigatewayv2.HttpApi(stack, "Http", disable_execute_api_endpoint=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "DisableExecuteApiEndpoint = true" in evaluation.evidence


def test_compliance_7_internal_classic_load_balancer_is_not_an_entry_point():
    stack = new_stack()
    elb.LoadBalancer(stack, "Classic", vpc=_vpc(stack), internet_facing=False,
                     subnet_selection=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))
    assert evaluations_of(stack, RULE) == []


def test_compliance_8_appsync_api_associated_by_arn():
    stack = new_stack()
    graph = appsync.CfnGraphQLApi(stack, "Graph", name="graph", authentication_type="API_KEY")
    wafv2.CfnWebACLAssociation(stack, "Protects", resource_arn=graph.attr_arn, web_acl_arn=_web_acl(stack).attr_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "Test/Protects" in evaluation.evidence


def test_compliance_9_appsync_api_associated_by_api_id():
    stack = new_stack()
    graph = appsync.CfnGraphQLApi(stack, "Graph", name="graph", authentication_type="API_KEY")
    wafv2.CfnWebACLAssociation(stack, "Protects", web_acl_arn=_web_acl(stack).attr_arn, resource_arn=cdk.Fn.join(
        "", [f"arn:aws:appsync:{stack.region}:{stack.account}:apis/", graph.attr_api_id]))
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_10_iam_function_url_is_not_an_entry_point():
    stack = new_stack()
    _function(stack).add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)
    assert evaluations_of(stack, RULE) == []


def test_compliance_11_deployment_stage_associated_through_a_joined_arn():
    stack = new_stack()
    api = _rest_api(stack, deploy=False)
    apigateway.CfnDeployment(stack, "Deployment", rest_api_id=api.rest_api_id, stage_name="v1")
    wafv2.CfnWebACLAssociation(stack, "Protects", web_acl_arn=_web_acl(stack).attr_arn, resource_arn=cdk.Fn.join(
        "", [f"arn:aws:apigateway:{stack.region}::/restapis/", api.rest_api_id, "/stages/v1"]))
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_12_stage_of_an_api_outside_the_app_associated_by_literal_arn():
    stack = new_stack()
    apigateway.CfnStage(stack, "Stage", rest_api_id="abc123", deployment_id="dep123", stage_name="prod")
    wafv2.CfnWebACLAssociation(stack, "Protects", web_acl_arn=_web_acl(stack).attr_arn,
                               resource_arn="arn:aws:apigateway:ap-northeast-1::/restapis/abc123/stages/prod")
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
