import pytest

from compliance.render.network_svg import render_network_svg
from compliance.results import build_report


@pytest.fixture(scope="module")
def network(default_assembly):
    return build_report(default_assembly)["network"]


def _vpc(network, name):
    return next(v for v in network["vpcs"] if v["name"] == name)


def test_service_vpc_tiers_and_their_routes(network):
    vpc = _vpc(network, "ServiceVpc")
    assert vpc["cidr"] == "10.10.0.0/16" and vpc["internet_gateway"] is True
    tiers = {t["name"]: t for t in vpc["tiers"]}
    assert list(tiers) == ["Public", "Application", "Data"]
    assert {s["internet_route"] for s in tiers["Public"]["subnets"]} == {"internet gateway"}
    assert {s["internet_route"] for s in tiers["Application"]["subnets"]} == {"NAT gateway"}
    assert {s["internet_route"] for s in tiers["Data"]["subnets"]} == {None}
    assert [len(t["subnets"]) for t in vpc["tiers"]] == [3, 3, 3]


def test_what_runs_where(network):
    tiers = {t["name"]: t for t in _vpc(network, "ServiceVpc")["tiers"]}
    (balancer,) = [m for m in tiers["Public"]["members"] if m["kind"] == "internet-facing load balancer"]
    assert balancer["waf"] == "Application/Firewall/WebAcl" and balancer["entry_point"] is True
    assert [m["path"] for m in tiers["Application"]["members"] if m["kind"].startswith("servers")] == [
        "Application/Servers/Group/ASG"]
    assert [(m["path"], m["kind"]) for m in tiers["Data"]["members"]] == [("Data/Records/Cluster/Resource", "database")]


def test_flows_between_tiers(network):
    flows = {(f["from"], tuple(f["to"]), f["ports"]) for f in network["flows"]}
    assert ("Internet", ("Public",), "tcp/443") in flows
    assert ("Internet", ("Public",), "tcp/80") in flows
    assert ("Public", ("Application",), "tcp/8080") in flows
    assert ("Application", ("Data",), "tcp/5432") in flows
    assert not [f for f in network["flows"] if f["from"] == "Internet" and f["to"] != ["Public"]]


def test_management_vpc_is_isolated_and_there_are_no_links(network):
    vpc = _vpc(network, "ManagementVpc")
    assert vpc["internet_gateway"] is False
    assert [t["name"] for t in vpc["tiers"]] == ["Operations"]
    assert {s["internet_route"] for t in vpc["tiers"] for s in t["subnets"]} == {None}
    assert network["links"] == []


def test_svg_draws_every_vpc_tier_and_flow_offline(network):
    svg = render_network_svg(network)
    assert svg.startswith("<svg xmlns='http://www.w3.org/2000/svg'")
    for text in ("ServiceVpc  10.10.0.0/16", "ManagementVpc  10.20.0.0/16", "Public tier", "Application tier",
                 "Data tier", "Operations tier", "Internet", "tcp/443", "tcp/8080", "LoadBalancer + WAF",
                 "No link toward any other network"):
        assert text in svg
    assert "href=" not in svg.replace("url(#arrow)", "")


def test_the_cloudfront_edge_in_front(network):
    (edge,) = network["edges"]
    assert edge["aliases"] == ["learn.example.com"] and edge["origins"] == ["origin.learn.example.com"]
    assert edge["waf"] == "Edge/Firewall/WebAcl" and edge["region"] == "us-east-1"
    assert "Users → CloudFront learn.example.com (WAF; stack Edge in us-east-1)" in render_network_svg(network)
