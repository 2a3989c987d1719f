"""An inline SVG of the report's network model: drawn from the JSON, no external assets."""

from __future__ import annotations

from html import escape
from typing import Any

INTERNET = "Internet"
WIDTH = 1120
VPC_X = 190
TIER_GAP = 96
LINE = 16


def render_network_svg(network: dict[str, Any]) -> str:
    """One SVG: the internet at the left, each VPC as a box of tier columns with their subnets and
    what runs in them, arrows for the security-group flows between tiers, endpoints underneath."""
    parts: list[str] = []
    y = 20
    for edge in network.get("edges", []):
        waf = "WAF" if edge["waf"] else "no WAF!"
        parts.append(_text(20, y + 12, f"Users → CloudFront {', '.join(edge['aliases']) or edge['path']} ({waf}; "
                                      f"stack {edge['stack']} in {edge['region']}) → origin "
                                      f"{', '.join(edge['origins'])} → the load balancer below", size=13, weight="600"))
        y += 30
    for vpc in network["vpcs"]:
        height = _vpc_height(vpc)
        parts += _vpc(vpc, network["flows"], y, height)
        y += height + 40
    links = network.get("links") or []
    note = ("No link toward any other network (peering, VPN, transit gateway, Direct Connect)."
            if not links else f"Links toward other networks: {', '.join(link['path'] for link in links)}")
    parts.append(_text(VPC_X, y, note, size=13, weight="600"))
    total = y + 20
    head = (f"<svg xmlns='http://www.w3.org/2000/svg' role='img' viewBox='0 0 {WIDTH} {total}' "
            f"width='100%' style='max-width:{WIDTH}px;font-family:system-ui,sans-serif' "
            "aria-label='Network diagram generated from the synthesized templates'>")
    defs = ("<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
            "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#57606a'/></marker></defs>")
    return head + defs + "".join(parts) + "</svg>"


def _vpc_height(vpc: dict[str, Any]) -> int:
    rows = max((len(t["subnets"]) + len(_shown_members(t)) for t in vpc["tiers"]), default=1)
    return 130 + rows * LINE + 70


def _shown_members(tier: dict[str, Any]) -> list[dict[str, Any]]:
    members = [m for m in tier["members"] if m["kind"] != "endpoint"]
    endpoints = [m for m in tier["members"] if m["kind"] == "endpoint"]
    if endpoints:
        members.append({"kind": "endpoints", "path": f"{len(endpoints)} interface endpoints"})
    return members


def _vpc(vpc: dict[str, Any], flows: list[dict[str, Any]], top: int, height: int) -> list[str]:
    parts = [
        f"<rect x='{VPC_X}' y='{top}' width='{WIDTH - VPC_X - 10}' height='{height}' rx='10' "
        "fill='#f6f8fa' stroke='#8c959f'/>",
        _text(VPC_X + 14, top + 22, f"{vpc['name']}  {vpc['cidr'] or ''}", size=15, weight="700"),
        _text(VPC_X + 14, top + 40, f"stack {vpc['stack']} · internet gateway: "
              f"{'yes (public tier only)' if vpc['internet_gateway'] else 'none'}", size=12, fill="#57606a"),
    ]
    tiers = vpc["tiers"]
    count = max(len(tiers), 1)
    inner = WIDTH - VPC_X - 10 - 28
    width = (inner - TIER_GAP * (count - 1)) / count
    boxes: dict[str, tuple[float, float]] = {}
    tier_top = top + 56
    tier_height = height - 56 - 50
    for index, tier in enumerate(tiers):
        x = VPC_X + 14 + index * (width + TIER_GAP)
        boxes[tier["name"]] = (x, x + width)
        routed = {s["internet_route"] for s in tier["subnets"] if s["internet_route"]}
        colour = "#ddf4ff" if "internet gateway" in routed else "#fff8c5" if routed else "#dafbe1"
        parts.append(f"<rect x='{x:.0f}' y='{tier_top}' width='{width:.0f}' height='{tier_height}' rx='6' "
                     f"fill='{colour}' stroke='#8c959f'/>")
        route = f"route: {', '.join(sorted(routed))}" if routed else "no route to the internet"
        parts.append(_text(x + 8, tier_top + 18, f"{tier['name']} tier", size=13, weight="700"))
        parts.append(_text(x + 8, tier_top + 34, route, size=11, fill="#57606a"))
        line = tier_top + 54
        for subnet in tier["subnets"]:
            zone = (subnet["zone"] or "")[-2:]
            parts.append(_text(x + 8, line, f"{subnet['cidr']}  {zone}", size=11, mono=True))
            line += LINE
        for member in _shown_members(tier):
            label = _member_label(member)
            parts.append(_text(x + 8, line, label, size=12, weight="600"))
            line += LINE
    parts += _flows(vpc, flows, boxes, tier_top, tier_height)
    parts.append(_text(VPC_X + 14, top + height - 8,
                       "endpoints: " + (", ".join(vpc["endpoints"]) or "none"), size=11, fill="#57606a"))
    return parts


def _member_label(member: dict[str, Any]) -> str:
    if member["kind"] == "endpoints":
        return f"▣ {member['path']}"
    name = member["path"].removesuffix("/Resource").split("/")[-1]
    if member.get("entry_point"):
        return f"▣ {name} + WAF" if member.get("waf") else f"▣ {name} (no WAF!)"
    return f"▣ {name}: {member['kind'].split(' (')[0]}"


def _flows(vpc: dict[str, Any], flows: list[dict[str, Any]], boxes: dict[str, tuple[float, float]],
           tier_top: int, tier_height: int) -> list[str]:
    parts = []
    labels: dict[tuple[str, str], set[str]] = {}
    unplaced: list[str] = []
    for flow in (f for f in flows if f["vpc"] == vpc["path"]):
        for target in flow["to"]:
            if target in boxes and (flow["from"] in boxes or flow["from"] == INTERNET):
                labels.setdefault((flow["from"], target), set()).add(flow["ports"])
            elif target not in boxes:
                name = target.removesuffix("/Resource").split("/")[-1]
                unplaced.append(f"{name} ({flow['ports']} from {flow['from']})")
    middle = tier_top + tier_height / 2
    for offset, ((source, target), ports) in enumerate(sorted(labels.items())):
        y = middle + 30 * (offset % 3)
        if source == INTERNET:
            parts.append(f"<rect x='20' y='{y - 16:.0f}' width='110' height='32' rx='16' fill='#fff' stroke='#8c959f'/>")
            parts.append(_text(75, y + 5, "Internet", size=13, weight="700", anchor="middle"))
            parts += _arrow(130, y, boxes[target][0], y, sorted(ports))
        elif source != target:
            (s_left, s_right), (t_left, t_right) = boxes[source], boxes[target]
            if s_right <= t_left:
                parts += _arrow(s_right, y, t_left, y, sorted(ports))
            else:
                parts += _arrow(s_left, y, t_right, y, sorted(ports))
    if unplaced:
        parts.append(_text(VPC_X + 14, tier_top + tier_height + 18,
                           "groups with nothing attached yet: " + "; ".join(sorted(set(unplaced))),
                           size=11, fill="#57606a"))
    return parts


def _arrow(x1: float, y1: float, x2: float, y2: float, labels: list[str]) -> list[str]:
    middle = (x1 + x2) / 2
    parts = [f"<line x1='{x1:.0f}' y1='{y1:.0f}' x2='{x2:.0f}' y2='{y2:.0f}' stroke='#57606a' stroke-width='2' "
             "marker-end='url(#arrow)'/>"]
    for index, label in enumerate(reversed(labels)):
        parts.append(_text(middle, y1 - 6 - 13 * index, label, size=11, anchor="middle", weight="600", fill="#0550ae"))
    return parts


def _text(x: float, y: float, value: str, *, size: int = 12, weight: str = "400", fill: str = "#1f2328",
          anchor: str = "start", mono: bool = False) -> str:
    family = " font-family='ui-monospace,Menlo,Consolas,monospace'" if mono else ""
    return (f"<text x='{x:.0f}' y='{y:.0f}' font-size='{size}' font-weight='{weight}' fill='{fill}' "
            f"text-anchor='{anchor}'{family}>{escape(value)}</text>")
