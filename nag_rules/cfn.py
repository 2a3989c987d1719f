"""Reading CloudFormation values the way rules need them: text with pseudo parameters resolved,
customer managed keys behind references, security group rules, subnets and their routes."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from dataclasses import dataclass
from typing import Any

from nag_rules.assembly import Resource, getatt, is_intrinsic, referenced_logical_id, show
from nag_rules.engine import Check, non_compliant, not_applicable, unresolved

HOLE = "\x00"
"""Stands for a value known only at deploy time inside resolved text."""


def text(value: Any, resource: Resource) -> str | None:
    """``value`` as the text CloudFormation will produce, or None if any part is known only at deploy time."""
    found = text_with_holes(value, resource)
    return None if found is None or HOLE in found else found


def text_with_holes(value: Any, resource: Resource) -> str | None:
    """Like ``text``, with each deploy-time part replaced by HOLE; None if the shape is not text at all."""
    stack = resource.stack
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (key, argument), = value.items()
    if key == "Ref" and isinstance(argument, str):
        pseudo = {
            "AWS::Region": stack.region,
            "AWS::AccountId": stack.account,
            "AWS::Partition": "aws" if stack.region else None,
            "AWS::URLSuffix": "amazonaws.com" if stack.region else None,
        }
        return pseudo.get(argument) or HOLE
    if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        separator, parts = argument
        if not isinstance(separator, str) or not isinstance(parts, list):
            return None
        pieces = [text_with_holes(part, resource) for part in parts]
        return None if any(p is None for p in pieces) else separator.join(pieces)  # type: ignore[arg-type]
    if key == "Fn::Base64":
        return text_with_holes(argument, resource)
    return HOLE


def user_data(resource: Resource, *keys: str) -> str | None:
    """User data at ``keys`` as the instance will see it (CloudFormation's Fn::Base64 undone)."""
    value = resource.prop(*keys)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return HOLE
    return text_with_holes(value, resource) or HOLE


def customer_managed_key(resource: Resource, key: Any, field: str) -> str | Check:
    """The path of the customer managed key that ``key`` names (through an alias or another stack's
    output), or the verdict when it names something else or cannot be known at synth time."""
    target = resource.target(key)
    if target is not None and target.type == "AWS::KMS::Alias":
        alias = target
        target = alias.target(alias.prop("TargetKeyId"))
        if target is not None and target.type == "AWS::KMS::Key":
            return f"{target.path} via {alias.path}"
    if target is not None and target.type == "AWS::KMS::Key":
        return target.path
    if isinstance(key, str):
        if "alias/aws/" in key:
            return non_compliant(f"{field} = {key}: an AWS managed key")
        return unresolved(f"{field} = {key}: a key outside this app; whether it is customer "
                          "managed cannot be known at synth time")
    if target is not None:
        return unresolved(f"{field} refers to {target.type} {target.path}, not to a key")
    return unresolved(f"{field} = {show(key)}")


@dataclass(frozen=True)
class IngressRule:
    """One inbound permission of a security group, inline or standalone."""

    source: str
    """A CIDR, ``sg:<path>`` of a peer group, ``pl:<id>`` of a prefix list, or ``?`` if unknown."""
    protocol: str
    from_port: int | None
    to_port: int | None
    defined_in: str

    @property
    def from_internet(self) -> bool:
        """The source is a CIDR that includes any internet address (``0.0.0.0/1`` counts as much as ``/0``)."""
        return reaches_internet(self.source) is True

    def covers(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        if self.protocol not in ("6", "tcp", "17", "udp"):
            return False
        low = -1 if self.from_port is None else self.from_port
        high = 65535 if self.to_port is None else self.to_port
        return low == -1 or low <= port <= high

    def ports(self) -> set[int] | None:
        """The ports it opens, None if all of them."""
        if self.protocol in ("-1", "all") or self.from_port in (None, -1):
            return None
        return set(range(self.from_port, (self.to_port if self.to_port is not None else self.from_port) + 1))

    def describe(self) -> str:
        protocol = {"-1": "all", "6": "tcp", "17": "udp"}.get(self.protocol, self.protocol)
        if protocol == "all" or self.from_port in (None, -1):
            ports = "all ports"
        elif self.from_port == self.to_port:
            ports = f"{protocol}/{self.from_port}"
        else:
            ports = f"{protocol}/{self.from_port}-{self.to_port}"
        return f"{ports} from {self.source}"


def ingress_rules(group: Resource) -> list[IngressRule]:
    """Every inbound rule of ``group``: its inline rules and AWS::EC2::SecurityGroupIngress
    resources anywhere in the assembly that point at it (or, given a standalone rule, that rule)."""
    if group.type == "AWS::EC2::SecurityGroupIngress":
        return [_ingress(group, group.properties, group.path)]
    rules = [_ingress(group, entry, group.path) for entry in group.prop("SecurityGroupIngress", default=[]) or []]
    for standalone in group.stack.assembly.of_type("AWS::EC2::SecurityGroupIngress"):
        if standalone.target(standalone.prop("GroupId")) is group:
            rules.append(_ingress(standalone, standalone.properties, standalone.path))
    return rules


def standalone_rule_group(rule: Resource) -> Resource | str:
    """The security group a standalone ingress/egress rule belongs to: the group resource if the app
    defines it, else a description of the group (a VPC's default group, one outside the app)."""
    value = rule.prop("GroupId")
    group = rule.target(value)
    if group is not None and group.type == "AWS::EC2::SecurityGroup":
        return group
    if group is not None and getatt(value) == (group.logical_id, "DefaultSecurityGroup"):
        return f"the default security group of {group.path}"
    return f"group {show(value)}"


def _ingress(owner: Resource, entry: Any, defined_in: str) -> IngressRule:
    if not isinstance(entry, dict):
        return IngressRule("?", "?", None, None, defined_in)
    if "CidrIp" in entry or "CidrIpv6" in entry:
        source = text(entry.get("CidrIp", entry.get("CidrIpv6")), owner) or "?"
    elif "SourceSecurityGroupId" in entry:
        peer = owner.target(entry["SourceSecurityGroupId"])
        source = f"sg:{peer.path}" if peer is not None else "?"
    elif "SourcePrefixListId" in entry:
        source = f"pl:{show(entry['SourcePrefixListId'])}"
    else:
        source = "?"
    protocol = entry.get("IpProtocol")
    protocol = str(protocol) if isinstance(protocol, (str, int)) else "?"
    return IngressRule(source, protocol.lower(), _port(entry.get("FromPort")), _port(entry.get("ToPort")), defined_in)


def _port(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8",
    "fc00::/7", "fe80::/10", "::1/128",
))
"""Private, shared (carrier-grade NAT), link-local and loopback ranges: never the internet."""


def reaches_internet(cidr: Any) -> bool | None:
    """Whether ``cidr`` includes any address outside the private, shared, link-local and loopback ranges;
    None if it is not a CIDR (a deploy-time value, a prefix list, a peer group)."""
    if not isinstance(cidr, str):
        return None
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    return not any(network.version == private.version and network.subnet_of(private)  # type: ignore[arg-type]
                   for private in PRIVATE_NETWORKS)


ROUTE_TARGETS = ("GatewayId", "NatGatewayId", "EgressOnlyInternetGatewayId", "TransitGatewayId",
                 "VpcPeeringConnectionId", "InstanceId", "NetworkInterfaceId", "CarrierGatewayId",
                 "LocalGatewayId", "CoreNetworkArn", "VpcEndpointId")
"""Route properties that send traffic somewhere: every one of them leaves the subnet's VPC or reaches
a device that can forward it out (gateway endpoints add their own routes, not AWS::EC2::Route)."""


@dataclass(frozen=True)
class Route:
    path: str
    destination: str
    via: str
    """The route property that names the target, e.g. ``GatewayId``."""
    target_type: str | None
    """The type of the target resource if it is in the app (AWS::EC2::InternetGateway, ...)."""

    @property
    def to_internet(self) -> bool:
        return self.via in ("NatGatewayId", "EgressOnlyInternetGatewayId", "CarrierGatewayId") or (
            self.via == "GatewayId" and self.target_type not in ("AWS::EC2::VPNGateway", "local"))

    def describe(self) -> str:
        kind = (self.target_type or self.via).rsplit("::", 1)[-1]
        return f"{self.path} ({self.destination} via {kind})"


_LITERAL_TARGETS = {"igw": "AWS::EC2::InternetGateway", "vgw": "AWS::EC2::VPNGateway", "local": "local"}


def routes_of(subnet: Resource) -> list[Route] | None:
    """Every route of the route table ``subnet`` is associated with, whatever its destination (a route
    to 0.0.0.0/1 through an internet gateway is as much an internet route as 0.0.0.0/0); None if the
    table is outside the app."""
    tables, routes = subnet.stack.assembly.memo("routes", lambda: _route_index(subnet.stack.assembly))
    found = tables.get(id(subnet), [])
    if any(table is None for table in found):
        return None
    return [route for table in found for route in routes.get(id(table), [])]


def _route_index(assembly: Any) -> tuple[dict[int, list[Resource | None]], dict[int, list[Route]]]:
    tables: dict[int, list[Resource | None]] = {}
    for association in assembly.of_type("AWS::EC2::SubnetRouteTableAssociation"):
        subnet = association.target(association.prop("SubnetId"))
        if subnet is not None:
            tables.setdefault(id(subnet), []).append(association.target(association.prop("RouteTableId")))
    routes: dict[int, list[Route]] = {}
    for route in assembly.of_type("AWS::EC2::Route"):
        table = route.target(route.prop("RouteTableId"))
        if table is None:
            continue
        via = next((k for k in ROUTE_TARGETS if k in route.properties), "an unknown target")
        value = route.prop(via)
        target = route.target(value) if via in route.properties else None
        target_type = target.type if target is not None else _LITERAL_TARGETS.get(
            value.split("-", 1)[0] if isinstance(value, str) else None)
        destination = route.prop("DestinationCidrBlock", default=route.prop(
            "DestinationIpv6CidrBlock", default=route.prop("DestinationPrefixListId")))
        routes.setdefault(id(table), []).append(Route(route.path, show(destination), via, target_type))
    return tables, routes


def internet_routes(subnet: Resource) -> list[Route] | None:
    """The routes of ``subnet`` that reach the internet (through an internet, NAT, egress-only or carrier
    gateway, or a gateway id outside the app); None if its route table is outside the app."""
    routes = routes_of(subnet)
    return None if routes is None else [r for r in routes if r.to_internet]


def security_group_users(group: Resource) -> list[Resource]:
    """The resources that attach ``group`` (load balancers, launch templates, instances, databases,
    endpoints, functions...): every referrer except the rules that merely name it as a peer or owner."""
    rule_types = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")
    users: dict[str, Resource] = {}
    for resource, _ in group.stack.assembly.referrers(group):
        if resource.type not in rule_types and not resource.type.startswith("AWS::CloudFormation::"):
            users.setdefault(resource.path, resource)
    return list(users.values())


def subnets_of(resource: Resource, *keys: str) -> list[Resource | None]:
    """The subnets a list property names (None where a subnet is outside the app)."""
    value = resource.prop(*keys, default=[])
    return [resource.target(item) for item in value] if isinstance(value, list) else [None]


def referenced(value: Any) -> str | None:
    return referenced_logical_id(value)


def is_getatt_of(value: Any, resource: Resource, attribute: str) -> bool:
    return getatt(value) == (resource.logical_id, attribute)


def as_json(value: Any) -> Any:
    """A document property given either as an object or as JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return None if is_intrinsic(value) else value


TAG_PROPERTIES = {
    "AWS::Backup::BackupVault": "BackupVaultTags",
    "AWS::Backup::BackupPlan": "BackupPlanTags",
    "AWS::Cognito::UserPool": "UserPoolTags",
}
"""Types that name their tags property other than Tags."""


def tags(resource: Resource) -> dict[str, Any]:
    """The resource's tags, whether the type writes them as a list of Key/Value or as a map (a global
    table carries them per replica: those of the stack's region count; a launch template's are those
    it gives the volumes it launches)."""
    value = resource.prop(TAG_PROPERTIES.get(resource.type, "Tags"))
    if resource.type == "AWS::EC2::LaunchTemplate":
        specifications = resource.prop("LaunchTemplateData", "TagSpecifications", default=[]) or []
        value = next((spec.get("Tags") for spec in specifications
                      if isinstance(spec, dict) and spec.get("ResourceType") == "volume"), None)
    if resource.type == "AWS::DynamoDB::GlobalTable":
        replicas = [r for r in resource.prop("Replicas", default=[]) or [] if isinstance(r, dict)]
        own = [r for r in replicas if r.get("Region") in (resource.stack.region, None)] or replicas
        value = own[0].get("Tags") if own else None
    if isinstance(value, list):
        return {t.get("Key"): t.get("Value") for t in value if isinstance(t, dict) and "Key" in t}
    if isinstance(value, dict) and not is_intrinsic(value):
        return dict(value)
    return {}


KEY_PROPERTIES = {
    "AWS::S3::Bucket": ("BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault",
                        "KMSMasterKeyID"),
    "AWS::Logs::LogGroup": ("KmsKeyId",),
    "AWS::RDS::DBCluster": ("KmsKeyId",),
    "AWS::RDS::DBInstance": ("KmsKeyId",),
    "AWS::DynamoDB::Table": ("SSESpecification", "KMSMasterKeyId"),
    "AWS::SNS::Topic": ("KmsMasterKeyId",),
    "AWS::SQS::Queue": ("KmsMasterKeyId",),
    "AWS::SecretsManager::Secret": ("KmsKeyId",),
    "AWS::Backup::BackupVault": ("EncryptionKeyArn",),
    "AWS::EFS::FileSystem": ("KmsKeyId",),
    "AWS::Kinesis::Stream": ("StreamEncryption", "KeyId"),
    "AWS::EC2::Volume": ("KmsKeyId",),
    "AWS::DocDB::DBCluster": ("KmsKeyId",),
    "AWS::Neptune::DBCluster": ("KmsKeyId",),
    "AWS::ElastiCache::ReplicationGroup": ("KmsKeyId",),
    "AWS::ElastiCache::ServerlessCache": ("KmsKeyId",),
    "AWS::Redshift::Cluster": ("KmsKeyId",),
    "AWS::FSx::FileSystem": ("KmsKeyId",),
    "AWS::OpenSearchService::Domain": ("EncryptionAtRestOptions", "KmsKeyId"),
    "AWS::KinesisFirehose::DeliveryStream": ("DeliveryStreamEncryptionConfigurationInput", "KeyARN"),
    "AWS::ECR::Repository": ("EncryptionConfiguration", "KmsKey"),
}
"""Where each type names the KMS key that encrypts it."""


def encryption_key_reference(resource: Resource) -> Any:
    path = KEY_PROPERTIES.get(resource.type)
    return resource.prop(*path) if path else None


EXTRA_KEY_PROPERTIES = {
    "AWS::RDS::DBCluster": (("MasterUserSecret", "KmsKeyId"), ("PerformanceInsightsKmsKeyId",)),
    "AWS::RDS::DBInstance": (("MasterUserSecret", "KmsKeyId"), ("PerformanceInsightsKMSKeyId",)),
}
"""Further keys a type names beside its storage key (its managed secret, its Performance Insights data)."""

KEY_TYPES = (*KEY_PROPERTIES, "AWS::DynamoDB::GlobalTable", "AWS::EC2::LaunchTemplate")
"""Types ``encryption_key_references`` reads."""


def encryption_key_references(resource: Resource) -> list[tuple[str, Any]]:
    """Every key the resource names, as (property path, value): storage, managed secret, each bucket
    encryption rule, each global-table replica, each launch-template volume."""
    if resource.type == "AWS::S3::Bucket":
        entries = resource.prop("BucketEncryption", "ServerSideEncryptionConfiguration", default=[]) or []
        return [(f"ServerSideEncryptionConfiguration[{i}].KMSMasterKeyID", key) for i, entry in enumerate(entries)
                if isinstance(entry, dict)
                and (key := (entry.get("ServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")) is not None]
    if resource.type == "AWS::DynamoDB::GlobalTable":
        replicas = resource.prop("Replicas", default=[]) or []
        return [(f"Replicas[{i}].SSESpecification.KMSMasterKeyId", key) for i, replica in enumerate(replicas)
                if isinstance(replica, dict)
                and (key := (replica.get("SSESpecification") or {}).get("KMSMasterKeyId")) is not None]
    if resource.type == "AWS::EC2::LaunchTemplate":
        mappings = resource.prop("LaunchTemplateData", "BlockDeviceMappings", default=[]) or []
        return [(f"BlockDeviceMappings[{i}].Ebs.KmsKeyId", key) for i, mapping in enumerate(mappings)
                if isinstance(mapping, dict) and (key := (mapping.get("Ebs") or {}).get("KmsKeyId")) is not None]
    paths = ((KEY_PROPERTIES[resource.type],) if resource.type in KEY_PROPERTIES else ()) + \
        EXTRA_KEY_PROPERTIES.get(resource.type, ())
    return [(".".join(map(str, path)), value) for path in paths if (value := resource.prop(*path)) is not None]


def people_trust(role: Resource) -> list[dict[str, Any]] | Check:
    """The Allow statements of a role's trust policy that admit IAM principals (people or their roles,
    not AWS services or web identities), or the verdict when the policy cannot be read that way."""
    statements = role.prop("AssumeRolePolicyDocument", "Statement", default=[])
    if not isinstance(statements, list):
        return unresolved(f"AssumeRolePolicyDocument = {show(role.prop('AssumeRolePolicyDocument'))}")
    allowing = [s for s in statements if isinstance(s, dict) and s.get("Effect") == "Allow"]
    if any("NotPrincipal" in s for s in allowing):
        return non_compliant("an Allow statement uses NotPrincipal: everyone but the named principals may assume it")
    trusting = [s for s in allowing if aws_principals(s.get("Principal")) is not None]
    return trusting or not_applicable("assumed only by AWS services or federated identities")


def aws_principals(principal: Any) -> Any:
    """The ``AWS`` part of a principal (``*`` for everyone), None if it names none."""
    if principal == "*":
        return "*"
    if isinstance(principal, dict):
        return principal.get("AWS")
    return None


def admits_everyone(principals: Any) -> bool:
    return principals == "*" or (isinstance(principals, list) and "*" in principals)


def launch_template_of(instance: Resource) -> Resource | str | None:
    """The launch template an instance names: the resource, a description of it when it is outside
    the app, or None when the instance names none."""
    spec = instance.prop("LaunchTemplate")
    if spec is None:
        return None
    reference = spec.get("LaunchTemplateId", spec.get("LaunchTemplateName")) if isinstance(spec, dict) else spec
    template = instance.target(reference)
    if template is None or template.type != "AWS::EC2::LaunchTemplate":
        return f"LaunchTemplate = {show(spec)}, a launch template outside this app"
    return template
