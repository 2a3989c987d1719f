from nag_rules.assembly import Resource, show
from nag_rules.engine import Check, Rule, non_compliant

PEERS = {
    "AWS::EC2::VPCPeeringConnection": ("PeerVpcId", "PeerOwnerId", "PeerRegion"),
    "AWS::EC2::VPNConnection": ("CustomerGatewayId", "TransitGatewayId", "VpnGatewayId"),
    "AWS::EC2::VPNGateway": ("Type", "AmazonSideAsn"),
    "AWS::EC2::VPNGatewayRoutePropagation": ("VpnGatewayId", "RouteTableIds"),
    "AWS::EC2::CustomerGateway": ("IpAddress", "BgpAsn"),
    "AWS::EC2::TransitGatewayAttachment": ("TransitGatewayId",),
    "AWS::EC2::TransitGatewayVpcAttachment": ("TransitGatewayId",),
    "AWS::EC2::TransitGatewayPeeringAttachment": ("PeerTransitGatewayId", "PeerAccountId", "PeerRegion"),
    "AWS::EC2::ClientVpnEndpoint": ("ClientCidrBlock", "VpcId"),
    "AWS::EC2::VPCEndpointService": ("NetworkLoadBalancerArns", "GatewayLoadBalancerArns"),
    "AWS::RAM::ResourceShare": ("Principals", "ResourceArns", "AllowExternalPrincipals"),
    "AWS::DirectConnect::Connection": ("Location",),
}
"""Links toward other networks or accounts, and the properties that say toward what."""

LINK_TYPES = tuple(PEERS)


def network_link_approved(resource: Resource) -> Check:
    peer = [f"{key} = {show(resource.prop(key))}" for key in PEERS[resource.type] if resource.prop(key) is not None]
    if resource.type == "AWS::EC2::VPCEndpointService":
        peer += [f"AllowedPrincipals = {show(p.prop('AllowedPrincipals'))} ({p.path})"
                 for p in resource.stack.assembly.of_type("AWS::EC2::VPCEndpointServicePermissions")
                 if p.target(p.prop("ServiceId")) is resource]
    return non_compliant(f"{resource.type} toward {', '.join(peer) or 'its peer'}: every link to another network "
                         "must be listed in network_links of the environment's configuration, with its reason")


RULE = Rule(
    name="NetworkLinkApproved",
    clauses=("13.1.3",),
    resource_types=LINK_TYPES,
    info="A link toward another network or account (peering, VPN, transit gateway, client VPN, PrivateLink "
         "service, resource share) is not approved in configuration.",
    explanation=(
        "Customer networks are separated from the service's networks. A peering, site-to-site or client VPN, "
        "customer or virtual private gateway (and its route propagation), transit gateway attachment or "
        "peering, Direct Connect link, PrivateLink endpoint service exposing this VPC, or RAM resource share "
        "(subnets or anything else shared with other accounts) is allowed only when listed in network_links "
        "of the environment's configuration with its reason; the app then acknowledges it on that link."
    ),
    check=network_link_approved,
)
