from compliance.audit.checks.vpc_time_sync import CHECK
from compliance.audit.framework import Result


def _vpc(aws, ntp=None):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    if ntp:
        options = ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "ntp-servers", "Values": ntp}])
        ec2.associate_dhcp_options(DhcpOptionsId=options["DhcpOptions"]["DhcpOptionsId"], VpcId=vpc)
    return next(f for f in CHECK.run(aws) if f.resource.endswith(f":vpc/{vpc}"))


def test_pass_1_amazon_time_sync(aws):
    finding = _vpc(aws, ["169.254.169.123"])
    assert finding.result is Result.PASS and "ntp-servers = ['169.254.169.123']" in finding.evidence


def test_pass_2_amazon_time_sync_ipv6(aws):
    assert _vpc(aws, ["fd00:ec2::123"]).result is Result.PASS


def test_fail_1_external_ntp(aws):
    finding = _vpc(aws, ["203.0.113.10"])
    assert finding.result is Result.FAIL and "ntp-servers = ['203.0.113.10']" in finding.evidence


def test_fail_2_no_ntp_servers(aws):
    finding = _vpc(aws)
    assert finding.result is Result.FAIL and finding.evidence.endswith("no ntp-servers")
    assert finding.resource.startswith("arn:aws:ec2:ap-northeast-1:")
