from __future__ import annotations

from typing import Any, Iterable, Sequence

from compliance.render.asset_register import classification_counts, deletion_text


def render_markdown(report: dict[str, Any]) -> str:
    doc = report["document"]
    source = report["source"]
    summary = report["summary"]
    coverage = summary["coverage"]
    gate = report["gate"]
    out: list[str] = [
        f"# {report['title']}",
        "",
        f"{doc['ja']} / {doc['en']} — {doc['standard']}",
        "",
        f"Generated {report['generated_at']} from `{source['assembly']}` "
        f"(environment `{source.get('environment') or '-'}`; "
        + ", ".join(f"{name} {version}" for name, version in source["tools"].items()) + ").",
        "",
        "## Summary",
        "",
        ("**Gate: passed.** No unacknowledged finding from any pack." if gate["passed"] else
         f"**Gate: FAILED.** {len(gate['blocking'])} unacknowledged finding(s):"),
        "",
    ]
    for item in gate["blocking"]:
        clauses = f"[{', '.join(item['clauses'])}] " if item["clauses"] else ""
        out.append(f"- {item['status']} {clauses}`{item['rule']}` at `{item['path']}`: {_cell(item['message'])}")
    if gate["blocking"]:
        out.append("")
    out += _table(["Clause status", "Clauses"], [[s, n] for s, n in summary["clauses"].items()])
    out += [""]
    out += _table(["Evaluation result", "Count"], [[s, n] for s, n in summary["evaluations"].items()])
    out += [
        "",
        (f"Resources read in the account: {coverage['total']}. Results: "
         + ", ".join(f"{n} {r}" for r, n in summary["results"].items())
         if report.get("kind") == "audit" else
         f"Coverage: {coverage['evaluated']} of {coverage['total']} resources evaluated by ISO27017 rules "
         f"({coverage['percent']}%)") + f". Acknowledgements: {summary['acknowledgements']}.",
        "",
    ]
    out += _table(["Stack", "Stack name", "Environment", "Resources"],
                  [[s["name"], s["stack_name"], s["environment"], s["resources"]] for s in source["stacks"]])
    out += [""]
    out += _table(["Pack", "Registered", "Unacknowledged findings"],
                  [[p["name"], "yes" if p["registered"] else "no", p["unacknowledged"]] for p in source["packs"]])
    if report.get("kind") == "audit":
        out += ["", AUDIT_LEGEND]
        out += _combined(report.get("combined") or [])
    if report["network"] is not None:
        out += ["", "## Networks (13.1.3)", ""]
        out += _network(report["network"])
    out += ["", "## Clauses", ""]
    out += _table(
        ["Clause", "Title", "Category", "Status", "Rules", "Resources", "Config rules"],
        [[c["id"], f"{c['title_ja']}<br>{c['title_en']}", c["category"], f"**{c['status']}**",
          len(c["rules"]), len(c["resources"]), len(c.get("config_rules", []))] for c in report["clauses"]],
    )
    out += ["", "## Clause details", ""]
    chapter = None
    for clause in report["clauses"]:
        if clause["chapter"] != chapter:
            chapter = clause["chapter"]
            out += [f"### {chapter} {clause['chapter_title_ja']} / {clause['chapter_title_en']}", ""]
        out += _clause(clause)
    if report.get("kind") != "audit":
        out += _assets(report)
    out += ["## Resource index", ""]
    evaluated = [r for r in report["resources"] if r["evaluated"]]
    unevaluated = [r for r in report["resources"] if not r["evaluated"]]
    out += _table(
        ["Resource", "Stack", "Type", "Clauses", "Rules (result)"],
        [[f"`{r['path']}`", r["stack"], r["type"], ", ".join(r["clauses"]),
          "<br>".join(f"{e['rule']} ({e['status']})" for e in r["evaluations"])] for r in evaluated],
    )
    out += ["", f"Resources no ISO27017 rule evaluated ({len(unevaluated)}):", ""]
    out += [f"- `{r['path']}` ({r['type']})" for r in unevaluated] or ["- none"]
    out += ["", "## Acknowledgements", ""]
    out += _table(
        ["Pack", "Rule", "Acknowledged on", "Reason", "Owner", "Expires", "Matches a finding"],
        [[a["pack"], f"`{a['rule']}`", f"`{a['path'] or '(app)'}`", a["reason"], a.get("owner") or "-",
          (f"**expired** {a['expires']}" if a.get("expired") else a.get("expires") or "-"),
          {True: "yes", False: "no (stale)", None: "not tracked"}[a["matched"]]]
         for a in report["acknowledgements"]],
    ) if report["acknowledgements"] else ["None."]
    out += ["", "## Scanner skips", "", "Checks of the external scanners (`make scan`) skipped in a resource's "
            "template metadata, each with its reason.", ""]
    out += _table(
        ["Scanner", "Check", "Resource", "Type", "Reason"],
        [[s["pack"], f"`{s['rule']}`", f"`{s['path']}`", s["type"],
          s["reason"] if s["reason_ok"] else f"**no real reason**: {s['reason']}"]
         for s in report.get("scanner_skips", [])],
    ) if report.get("scanner_skips") else ["None."]
    out += ["", "## Findings of the other packs", ""]
    out += _table(
        ["Pack", "Rule", "Resource", "Severity", "Description"],
        [[f["pack"], f"`{f['rule']}`", f"`{f['path']}`", f["severity"], f["description"]] for f in report["findings"]],
    ) if report["findings"] else ["None unacknowledged."]
    return "\n".join(out) + "\n"


def _clause(clause: dict[str, Any]) -> list[str]:
    out = [
        f"#### {clause['id']} {clause['title_ja']} — {clause['title_en']}",
        "",
        f"Category: {clause['category']} · Status: **{clause['status']}** — {clause['status_note']}",
        "",
    ]
    out += ["> " + line if line else ">" for line in clause["statement_ja"].splitlines()]
    out += [
        "",
        f"Summary: {clause['summary_en']}",
        "",
        f"Control (design intent): {clause['control_en']}",
        "",
    ]
    if clause.get("remaining_en"):
        out += ["Left to the application or the organisation:", "", *(f"- {duty}" for duty in clause["remaining_en"]), ""]
    if clause["security_hub"]:
        out.append("Security Hub: " + "; ".join(
            f"{c['id']} {c['title']} ({c['standards']})" for c in clause["security_hub"]) + ".")
        out.append("")
    if clause["security_hub_note"]:
        out += [f"Security Hub note: {clause['security_hub_note']}", ""]
    if clause.get("config_rules"):
        out += ["Watched at runtime by AWS Config: " + ", ".join(
            f"`{r['name']}`" for r in clause["config_rules"]) + ".", ""]
    if clause.get("config_rules_note"):
        out += [f"No AWS Config managed rule watches this clause: {clause['config_rules_note']}", ""]
    for rule in clause["rules"]:
        out += [f"Rule `{rule['id']}`: {rule['description']}", ""]
        if rule["evaluations"]:
            out += _table(
                ["Resource", "Stack", "Type", "Result", "Evidence", "Acknowledgement"],
                [[f"`{e['path']}`", e["stack"], e["type"], e["status"], e["evidence"],
                  (e.get("acknowledgement") or {}).get("reason", "")] for e in rule["evaluations"]],
            )
        else:
            out.append("No resource of the rule's types is in this app.")
        out.append("")
    return out


def _assets(report: dict[str, Any]) -> list[str]:
    assets = report.get("assets", [])
    out = ["## Asset register (8.1.1, 8.2.2)", "",
           f"Every stateful resource ({len(assets)}) with its data class, the key that encrypts it, the backup plans "
           "that select it and how long it keeps data; also written as `asset-register.csv`.", ""]
    out += _table(["Classification", "Assets"], classification_counts(report).items())
    out += [""]
    out += _table(
        ["Resource", "Stack", "Type", "Classification", "KMS key", "Backup", "Retention", "Deletion policy"],
        [[f"`{a['path']}`", a["stack"], a["type"], a["classification"] or "**none**", "<br>".join(a["kms_keys"]),
          "<br>".join(a["backup"]) or "none", a["retention"],
          deletion_text(a)] for a in assets],
    )
    return out + [""]


AUDIT_LEGEND = ("In this live audit a check's result is pass (shown as compliant), fail (violated) or unverified "
                "(unresolved: denied, not enabled, throttled or unsupported; never counted as a pass).")


def _combined(rows: list[dict[str, Any]]) -> list[str]:
    out = ["", "## Templates and account, per clause", ""]
    if not rows:
        return out + ["No clause report (`clause-report.json`) was beside this audit: run `make report` first.", ""]
    out += _table(
        ["Clause", "Title", "Category", "Templates promise", "Account shows"],
        [[r["id"], r["title_en"], r["category"],
          f"**{r['templates']['status']}** ({r['templates']['counts']['compliant']} compliant)" if r["templates"]
          else "-",
          f"**{r['account']['status']}** ({r['account']['results']['pass']} pass, {r['account']['results']['fail']} "
          f"fail, {r['account']['results']['unverified']} unverified)"] for r in rows],
    )
    return out + [""]


def _network(network: dict[str, Any]) -> list[str]:
    out = []
    for edge in network.get("edges", []):
        out += [f"Edge: CloudFront `{edge['path']}` ({', '.join(edge['aliases'])}; stack {edge['stack']} in "
                f"{edge['region']}; web ACL `{edge['waf'] or 'none'}`) → origin {', '.join(edge['origins'])}", ""]
    for vpc in network["vpcs"]:
        out += [f"**{vpc['name']}** `{vpc['cidr']}` (stack {vpc['stack']}; endpoints: "
                f"{', '.join(vpc['endpoints']) or 'none'})", ""]
        out += _table(["Tier", "Subnets", "Route to the internet", "Runs here"], [
            [tier["name"], "<br>".join(f"{s['cidr']} {s['zone'] or ''}" for s in tier["subnets"]),
             ", ".join(sorted({s["internet_route"] for s in tier["subnets"] if s["internet_route"]})) or "none",
             "<br>".join(f"`{m['path']}` ({m['kind']})" for m in tier["members"] if m["kind"] != "endpoint")]
            for tier in vpc["tiers"]
        ])
        out.append("")
    out += _table(["From", "To", "Allowed", "Security group"], [
        [flow["from"], ", ".join(flow["to"]), flow["ports"], f"`{flow['group']}`"] for flow in network["flows"]
    ])
    links = network.get("links") or []
    out += ["", "Links toward other networks: " + (", ".join(f"`{link['path']}` ({link['type']})" for link in links)
                                                   if links else "none.")]
    return out


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")
