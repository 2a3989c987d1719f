from compliance.audit.checks.security_group_world_ingress import CHECK
from compliance.audit.framework import Result


def _group(aws, *permissions):
    ec2 = aws.client("ec2")
    group = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=list(permissions))
    return next(f for f in CHECK.run(aws) if f":security-group/{group}" in f.resource)


def _tcp(port, ipv4="0.0.0.0/0", ipv6=None):
    permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": ipv4}]}
    if ipv6:
        permission["Ipv6Ranges"] = [{"CidrIpv6": ipv6}]
    return permission


def test_pass_1_only_web_ports_from_world_and_ssh_from_office(aws):
    finding = _group(aws, _tcp(443, ipv6="::/0"), _tcp(80), _tcp(22, ipv4="203.0.113.0/24"))
    assert finding.result is Result.PASS and "other than TCP 80/443" in finding.evidence


def test_fail_1_ssh_from_ipv6_world(aws):
    finding = _group(aws, _tcp(22, ipv4="203.0.113.0/24", ipv6="::/0"))
    assert finding.result is Result.FAIL and "IpProtocol = tcp, ports 22-22 from ::/0" in finding.evidence


def test_fail_2_all_traffic_from_world(aws):
    finding = _group(aws, {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    assert finding.result is Result.FAIL and "IpProtocol = -1, ports all from 0.0.0.0/0" in finding.evidence


def test_fail_3_port_range_covering_443(aws):
    finding = _group(aws, {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 1024, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    assert finding.result is Result.FAIL and "ports 0-1024" in finding.evidence
