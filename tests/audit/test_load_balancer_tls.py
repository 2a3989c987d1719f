from botocore.stub import Stubber

from compliance.audit.checks.load_balancer_tls import CHECK
from compliance.audit.framework import Result

LISTENER = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/web/1/2"


def _balancer(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"ap-northeast-1{z}")
               ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "c"))]
    elbv2 = aws.client("elbv2")
    lb = elbv2.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    return elbv2, lb, tg


def _https(aws, elbv2, lb, tg, policy):
    cert = aws.client("acm").request_certificate(DomainName="example.com")["CertificateArn"]
    return elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTPS", Port=443, SslPolicy=policy,
                                 Certificates=[{"CertificateArn": cert}],
                                 DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]


def _redirect(elbv2, lb):
    return elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{
        "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])["Listeners"][0]


def test_fail_1_https_listener_with_tls10_policy(aws):
    elbv2, lb, tg = _balancer(aws)
    listener = _https(aws, elbv2, lb, tg, "ELBSecurityPolicy-2016-08")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == listener["ListenerArn"]
    assert "SslPolicy = ELBSecurityPolicy-2016-08" in finding.evidence and "TLSv1'" in finding.evidence


def test_fail_2_http_listener_forwarding(aws):
    elbv2, lb, tg = _balancer(aws)
    elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "DefaultActions Type = forward" in finding.evidence


def test_fail_3_http_rule_forwarding_behind_redirecting_default(aws):
    elbv2, lb, tg = _balancer(aws)
    listener = _redirect(elbv2, lb)
    elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=10,
                      Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
                      Actions=[{"Type": "forward", "TargetGroupArn": tg}])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "priority 10 Type = forward" in finding.evidence


def test_pass_1_tls12_policy_and_redirecting_http(aws):
    elbv2, lb, tg = _balancer(aws)
    _https(aws, elbv2, lb, tg, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    _redirect(elbv2, lb)
    findings = CHECK.run(aws)
    assert [f.result for f in findings] == [Result.PASS, Result.PASS]
    assert any("TLS 1.2+ family" in f.evidence for f in findings)
    assert any("RedirectConfig.Protocol = HTTPS" in f.evidence for f in findings)


def test_fail_4_tls13_family_offering_tls10_is_read_not_trusted(aws):
    stub = _stubbed_listener(aws, "ELBSecurityPolicy-TLS13-1-0-2021-06")
    stub.add_response("describe_ssl_policies", {"SslPolicies": [{
        "Name": "ELBSecurityPolicy-TLS13-1-0-2021-06", "SslProtocols": ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"]}]},
        {"Names": ["ELBSecurityPolicy-TLS13-1-0-2021-06"]})
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.FAIL and "'TLSv1.1', 'TLSv1'" in finding.evidence


def _stubbed_listener(aws, policy):
    stub = Stubber(aws.client("elbv2"))
    stub.add_response("describe_load_balancers", {"LoadBalancers": [{"LoadBalancerArn": "lb"}]})
    stub.add_response("describe_listeners", {"Listeners": [{"ListenerArn": LISTENER, "Protocol": "HTTPS",
                                                            "SslPolicy": policy}]}, {"LoadBalancerArn": "lb"})
    return stub


def test_unverified_1_ssl_policy_access_denied(aws):
    stub = _stubbed_listener(aws, "Custom")
    stub.add_client_error("describe_ssl_policies", "AccessDenied")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and finding.resource == LISTENER
    assert "DescribeSSLPolicies: access denied" in finding.evidence
