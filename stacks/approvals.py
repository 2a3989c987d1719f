"""Exceptions approved or implied by configuration, applied to the constructs they concern."""

from __future__ import annotations

from typing import Sequence

import aws_cdk as cdk
from constructs import IConstruct

from config import ConfigurationError, Problem
from config.settings import NetworkLink
from constructs_lib import acknowledge
from nag_rules.rules.network_link_approved import LINK_TYPES

NETWORK_LINK_RULE = "ISO27017-NetworkLinkApproved"


def approve_network_links(root: IConstruct, links: Sequence[NetworkLink], source: str = "configuration") -> None:
    """Acknowledge each configured link on its construct, with its reason; a path that names no
    construct, or a construct other than one link resource (acknowledgements cover everything beneath
    their construct, so a VPC's path would approve every link in it), is a configuration error (13.1.3)."""
    by_path = {construct.node.path: construct for construct in root.node.find_all()}
    problems = []
    for index, link in enumerate(links):
        construct = by_path.get(link.path)
        if construct is None:
            problem = "no such construct in the app"
        else:
            link_type = _link_type(construct)
            if link_type is not None:
                acknowledge(construct, link.reason, NETWORK_LINK_RULE)
                continue
            problem = "names a construct that is not one link resource (an approval covers exactly one link)"
        problems.append(Problem(source, f"network_links[{index}].path", link.path, problem,
                                f"the construct path of one {' or '.join(_short(t) for t in LINK_TYPES)} resource",
                                "13.1.3"))
    if problems:
        raise ConfigurationError(problems)


def _link_type(construct: IConstruct) -> str | None:
    """The link resource type of ``construct`` or of its default child (an L2 wrapping one resource)."""
    for candidate in (construct, construct.node.default_child):
        if candidate is not None and cdk.CfnResource.is_cfn_resource(candidate):
            resource_type = candidate.cfn_resource_type  # type: ignore[attr-defined]
            return resource_type if resource_type in LINK_TYPES else None
    return None


def _short(resource_type: str) -> str:
    return resource_type.rsplit("::", 1)[-1]


EXTERNAL_ACCOUNT_SECURITY = (
    "This environment's account runs AWS Config, GuardDuty, Security Hub and Inspector from another environment "
    "or the organisation (account_security = external), outside this app's templates."
)


def acknowledge_external_account_security(data: IConstruct, servers: IConstruct) -> None:
    """With ``account_security = external`` the AWS Config recorder the backup audit framework relies on, and the
    Inspector enablement the servers rely on, are not in the app: say so where each finding falls."""
    acknowledge(data.node.find_child("Backup").node.find_child("Plan"), EXTERNAL_ACCOUNT_SECURITY,
                "ISO27017-BackupAuditFramework")
    acknowledge(servers, EXTERNAL_ACCOUNT_SECURITY, "ISO27017-InspectorEnabled")
