"""Exceptions approved in configuration, applied to the constructs they name."""

from __future__ import annotations

from typing import Sequence

from constructs import IConstruct

from config import ConfigurationError, Problem
from config.settings import NetworkLink
from constructs_lib import acknowledge

NETWORK_LINK_RULE = "ISO27017-NetworkLinkApproved"


def approve_network_links(root: IConstruct, links: Sequence[NetworkLink], source: str = "configuration") -> None:
    """Acknowledge each configured link on its construct, with its reason; a path that names no
    construct is a configuration error (13.1.3)."""
    by_path = {construct.node.path: construct for construct in root.node.find_all()}
    problems = []
    for index, link in enumerate(links):
        construct = by_path.get(link.path)
        if construct is None:
            problems.append(Problem(source, f"network_links[{index}].path", link.path, "no such construct in the app",
                                    "the construct path of a peering, VPN or transit gateway resource", "13.1.3"))
            continue
        acknowledge(construct, link.reason, NETWORK_LINK_RULE)
    if problems:
        raise ConfigurationError(problems)
