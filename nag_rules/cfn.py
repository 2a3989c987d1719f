"""Reading CloudFormation values the way rules need them: text with pseudo parameters resolved,
customer managed keys behind references, security group rules, subnets and their routes."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from nag_rules.assembly import Resource, getatt, is_intrinsic, referenced_logical_id, show
from nag_rules.engine import Check, non_compliant, unresolved

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
    def from_anywhere(self) -> bool:
        return self.source in ("0.0.0.0/0", "::/0")

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
    resources anywhere in the assembly that point at it."""
    rules = [_ingress(group, entry, group.path) for entry in group.prop("SecurityGroupIngress", default=[]) or []]
    for standalone in group.stack.assembly.of_type("AWS::EC2::SecurityGroupIngress"):
        if standalone.target(standalone.prop("GroupId")) is group:
            rules.append(_ingress(standalone, standalone.properties, standalone.path))
    return rules


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


def default_route(subnet: Resource) -> list[str]:
    """The internet routes (0.0.0.0/0 or ::/0) of the route table ``subnet`` is associated with."""
    assembly = subnet.stack.assembly
    tables = [a.target(a.prop("RouteTableId")) for a in assembly.of_type("AWS::EC2::SubnetRouteTableAssociation")
              if a.target(a.prop("SubnetId")) is subnet]
    routes = []
    for table in tables:
        if table is None:
            routes.append("an association to a route table outside this app")
            continue
        for route in assembly.of_type("AWS::EC2::Route"):
            if route.target(route.prop("RouteTableId")) is table and (
                    route.prop("DestinationCidrBlock") == "0.0.0.0/0"
                    or route.prop("DestinationIpv6CidrBlock") == "::/0"):
                via = next((k for k in ("GatewayId", "NatGatewayId", "TransitGatewayId", "InstanceId",
                                        "NetworkInterfaceId", "VpcPeeringConnectionId") if k in route.properties),
                           "a target")
                routes.append(f"{route.path} ({via})")
    return routes


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
    table carries them per replica: those of the stack's region count)."""
    value = resource.prop(TAG_PROPERTIES.get(resource.type, "Tags"))
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
}
"""Where each type names the KMS key that encrypts it."""


def encryption_key_reference(resource: Resource) -> Any:
    path = KEY_PROPERTIES.get(resource.type)
    return resource.prop(*path) if path else None
