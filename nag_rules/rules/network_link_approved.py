from nag_rules.assembly import Resource, show
from nag_rules.engine import Check, Rule, non_compliant

LINK_TYPES = (
    "AWS::EC2::VPCPeeringConnection",
    "AWS::EC2::VPNConnection",
    "AWS::EC2::VPNGateway",
    "AWS::EC2::CustomerGateway",
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::EC2::TransitGatewayVpcAttachment",
    "AWS::EC2::TransitGatewayPeeringAttachment",
    "AWS::DirectConnect::Connection",
)


def network_link_approved(resource: Resource) -> Check:
    peer = next((f"{key} = {show(resource.prop(key))}" for key in
                 ("PeerVpcId", "PeerOwnerId", "IpAddress", "CustomerGatewayId", "TransitGatewayId", "Location")
                 if resource.prop(key) is not None), "its peer")
    return non_compliant(f"{resource.type} toward {peer}: every link to another network must be listed in "
                         "network_links of the environment's configuration, with its reason")


RULE = Rule(
    name="NetworkLinkApproved",
    clauses=("13.1.3",),
    resource_types=LINK_TYPES,
    info="A link toward another network (peering, VPN, transit gateway) is not approved in configuration.",
    explanation=(
        "Customer networks are separated from the service's networks. A peering, VPN, customer gateway, "
        "transit gateway attachment or Direct Connect link is allowed only when listed in network_links "
        "of the environment's configuration with its reason; the app then acknowledges it on that link."
    ),
    check=network_link_approved,
)
