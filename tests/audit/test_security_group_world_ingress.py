from botocore.stub import Stubber

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


def test_fail_4_ssh_from_a_range_as_wide_as_the_world(aws):
    finding = _group(aws, _tcp(22, ipv4="0.0.0.0/1"), _tcp(3389, ipv4="10.0.0.0/8", ipv6="2000::/3"))
    assert finding.result is Result.FAIL
    assert "ports 22-22 from 0.0.0.0/1" in finding.evidence and "ports 3389-3389 from 10.0.0.0/8, 2000::/3" \
        in finding.evidence


def test_pass_2_narrower_ranges_are_not_the_world(aws):
    finding = _group(aws, _tcp(22, ipv4="10.0.0.0/9", ipv6="2001:db8::/32"))
    assert finding.result is Result.PASS


def _prefix_list(aws, *cidrs):
    return aws.client("ec2").create_managed_prefix_list(
        PrefixListName="partners", AddressFamily="IPv4", MaxEntries=5,
        Entries=[{"Cidr": cidr} for cidr in cidrs])["PrefixList"]["PrefixListId"]


def test_fail_5_ssh_from_a_prefix_list_holding_the_world(aws):
    prefix_list = _prefix_list(aws, "203.0.113.0/24", "0.0.0.0/0")
    finding = _group(aws, {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                           "PrefixListIds": [{"PrefixListId": prefix_list}]})
    assert finding.result is Result.FAIL and f"ports 22-22 from 0.0.0.0/0 (prefix list {prefix_list})" \
        in finding.evidence


def test_pass_3_ssh_from_a_prefix_list_of_offices(aws):
    prefix_list = _prefix_list(aws, "203.0.113.0/24")
    finding = _group(aws, {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                           "PrefixListIds": [{"PrefixListId": prefix_list}]})
    assert finding.result is Result.PASS and "prefix lists read" in finding.evidence


def test_unverified_1_prefix_list_unreadable(aws):
    group = {"GroupId": "sg-1", "GroupName": "ssh", "OwnerId": "123456789012", "Description": "ssh",
             "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                "PrefixListIds": [{"PrefixListId": "pl-1"}]}]}
    stub = Stubber(aws.client("ec2"))
    stub.add_response("describe_security_groups", {"SecurityGroups": [group]})
    stub.add_client_error("get_managed_prefix_list_entries", "UnauthorizedOperation")
    with stub:
        (finding,) = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and finding.resource.endswith(":security-group/sg-1")
    assert "ec2:GetManagedPrefixListEntries: access denied" in finding.evidence
