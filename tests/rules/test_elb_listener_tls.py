from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from nag_rules import Status
from nag_rules.rules.elb_listener_tls import RULE
from tests.helpers import evaluations_of, new_stack, only

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def _balancer(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])
    return elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=vpc, internet_facing=True)


def _https(balancer, **props):
    return balancer.add_listener("Https", port=443, certificates=[elbv2.ListenerCertificate.from_arn(CERTIFICATE)],
                                 default_action=elbv2.ListenerAction.fixed_response(404), **props)


def test_noncompliance_1_https_without_a_policy_gets_the_2016_default():
    stack = new_stack()
    balancer = _balancer(stack)
    elbv2.CfnListener(stack, "Https", load_balancer_arn=balancer.load_balancer_arn, port=443, protocol="HTTPS",
                      certificates=[{"certificateArn": CERTIFICATE}],
                      default_actions=[{"type": "fixed-response", "fixedResponseConfig": {"statusCode": "404"}}])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "ELBSecurityPolicy-2016-08" in evaluation.evidence


def test_noncompliance_2_tls_1_1_policy():
    stack = new_stack()
    _https(_balancer(stack), ssl_policy=elbv2.SslPolicy.TLS11)
    assert "not on the TLS 1.2+ allowlist" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_http_serving_content():
    stack = new_stack()
    _balancer(stack).add_listener("Http", port=80, default_action=elbv2.ListenerAction.fixed_response(200))
    assert "serves content" in only(evaluations_of(stack, RULE)).evidence


def test_compliance_1_tls13_policy():
    stack = new_stack()
    _https(_balancer(stack), ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "HTTPS on port 443 with SslPolicy = ELBSecurityPolicy-TLS13-1-2-2021-06"


def test_compliance_2_http_only_redirects():
    stack = new_stack()
    _balancer(stack).add_redirect(source_port=80, target_port=443)
    assert only(evaluations_of(stack, RULE)).evidence == "HTTP on port 80 only redirects to HTTPS (HTTP_301)"


def _forward(stack, listener, construct_id="Forward"):
    target_group = elbv2.ApplicationTargetGroup(stack, f"{construct_id}Targets", vpc=listener.load_balancer.vpc,
                                                port=8080, protocol=elbv2.ApplicationProtocol.HTTP,
                                                target_type=elbv2.TargetType.IP)
    return elbv2.ApplicationListenerRule(stack, construct_id, listener=listener, priority=1,
                                         conditions=[elbv2.ListenerCondition.path_patterns(["/*"])],
                                         action=elbv2.ListenerAction.forward([target_group]))


def test_noncompliance_4_redirecting_http_listener_with_a_forwarding_rule():
    stack = new_stack()
    _forward(stack, _balancer(stack).add_redirect(source_port=80, target_port=443))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "serves content" in evaluation.evidence and "rule Test/Forward/Resource: forward action" in evaluation.evidence


def test_noncompliance_5_rule_redirect_keeping_http():
    stack = new_stack()
    elbv2.ApplicationListenerRule(stack, "Moved", listener=_balancer(stack).add_redirect(source_port=80),
                                  priority=1, conditions=[elbv2.ListenerCondition.path_patterns(["/old/*"])],
                                  action=elbv2.ListenerAction.redirect(path="/new/", permanent=True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "#{protocol}" in evaluation.evidence


def test_compliance_3_rules_checked_per_listener():
    stack = new_stack()
    balancer = _balancer(stack)
    https = _https(balancer, ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS)
    _forward(stack, https)
    http = balancer.add_redirect(source_port=80, target_port=443)
    elbv2.ApplicationListenerRule(stack, "Moved", listener=http, priority=1,
                                  conditions=[elbv2.ListenerCondition.path_patterns(["/old/*"])],
                                  action=elbv2.ListenerAction.redirect(protocol="HTTPS", port="443", path="/new/"))
    evaluations = evaluations_of(stack, RULE)
    assert [e.status for e in evaluations] == [Status.COMPLIANT, Status.COMPLIANT]
    assert any(e.evidence == "HTTP on port 80 only redirects to HTTPS (HTTP_301, HTTP_302); so do rule Test/Moved/Resource"
               for e in evaluations)


def test_unresolved_1_rule_redirect_protocol_from_a_condition():
    import aws_cdk as cdk

    stack = new_stack()
    production = cdk.CfnCondition(stack, "Production", expression=cdk.Fn.condition_equals(
        cdk.CfnParameter(stack, "Stage", type="String").value_as_string, "prod"))
    rule = _forward(stack, _balancer(stack).add_redirect(source_port=80, target_port=443))
    rule.node.default_child.add_property_override("Actions", [{"Type": "redirect", "RedirectConfig": {
        "Protocol": cdk.Fn.condition_if(production.logical_id, "HTTPS", "HTTP"), "StatusCode": "HTTP_301"}}])
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def _classic(stack, protocol=None, policy=None, reference=None):
    from aws_cdk import aws_elasticloadbalancing as elb

    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])
    balancer = elb.LoadBalancer(stack, "Classic", vpc=vpc, internet_facing=True)
    balancer.add_listener(external_port=443, external_protocol=protocol or elb.LoadBalancingProtocol.HTTPS,
                          ssl_certificate_arn=CERTIFICATE, internal_port=8080,
                          policy_names=[policy] if policy else None)
    if policy:
        balancer.node.default_child.policies = [elb.CfnLoadBalancer.PoliciesProperty(
            policy_name=policy, policy_type="SSLNegotiationPolicyType",
            attributes=[{"Name": "Reference-Security-Policy", "Value": reference}])]
    return balancer


def test_noncompliance_6_classic_http_listener():
    from aws_cdk import aws_elasticloadbalancing as elb

    stack = new_stack()
    _classic(stack, protocol=elb.LoadBalancingProtocol.HTTP)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("HTTP listener on port 443: a Classic Load Balancer cannot redirect to HTTPS, "
                                   "traffic passes unencrypted")


def test_noncompliance_7_classic_https_without_or_with_a_weak_negotiation_policy():
    stack = new_stack()
    _classic(stack)
    assert "default ELBSecurityPolicy-2016-08" in only(evaluations_of(stack, RULE)).evidence
    other = new_stack()
    _classic(other, policy="Tls", reference="ELBSecurityPolicy-TLS-1-1-2017-01")
    evaluation = only(evaluations_of(other, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Reference-Security-Policy = ELBSecurityPolicy-TLS-1-1-2017-01" in evaluation.evidence


def test_compliance_4_classic_https_with_the_tls_1_2_policy():
    stack = new_stack()
    _classic(stack, policy="Tls12", reference="ELBSecurityPolicy-TLS-1-2-2017-01")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("HTTPS on port 443 with policy Tls12 "
                                   "(Reference-Security-Policy = ELBSecurityPolicy-TLS-1-2-2017-01)")


def test_unresolved_2_classic_reference_policy_from_a_parameter():
    import aws_cdk as cdk

    stack = new_stack()
    _classic(stack, policy="Tls", reference=cdk.CfnParameter(stack, "Policy", type="String").value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_not_applicable_1_gateway_load_balancer_listener():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    gateway = elbv2.CfnLoadBalancer(stack, "Gateway", type="gateway", subnets=vpc.select_subnets().subnet_ids)
    targets = elbv2.CfnTargetGroup(stack, "Appliances", protocol="GENEVE", port=6081, vpc_id=vpc.vpc_id)
    elbv2.CfnListener(stack, "Listener", load_balancer_arn=gateway.ref,
                      default_actions=[{"type": "forward", "targetGroupArn": targets.ref}])
    assert evaluations_of(stack, RULE) == []
