from __future__ import annotations

from typing import Any



def render_summary(report: dict[str, Any]) -> str:
    """The summary table printed after ``make report``."""
    summary = report["summary"]
    clauses = summary["clauses"]
    evaluations = summary["evaluations"]
    coverage = summary["coverage"]
    stacks = report["source"]["stacks"]
    where = (f"account {report['source']['account']}, region {report['source']['region']} ({len(stacks)} region(s) "
             "read)" if report.get("kind") == "audit" else f"{len(stacks)} stack(s)")
    lines = [
        f"{report['title']}: environment {report['source'].get('environment') or '-'}, "
        f"{where}, {coverage['total']} resources",
        "",
        f"  {'clause status':<16}{'clauses':>8}    {'evaluation':<14}{'count':>6}",
    ]
    left = list(clauses.items())
    right = list(evaluations.items())
    for index, (status, count) in enumerate(left):
        row = f"  {status:<16}{count:>8}"
        if index < len(right):
            row += f"    {right[index][0]:<14}{right[index][1]:>6}"
        lines.append(row)
    lines.append(f"  {'total':<16}{sum(clauses.values()):>8}    {'total':<14}{sum(evaluations.values()):>6}")
    if report.get("kind") == "audit":
        results = summary["results"]
        lines += ["", f"  checks: {len(report['rules'])}; results: {results['pass']} pass, {results['fail']} fail, "
                      f"{results['unverified']} unverified, on {coverage['total']} resources",
                  f"  acknowledged: {summary['acknowledgements']} (template acknowledgements: "
                  f"{report['source'].get('template_acknowledgements') or 'none'})"]
        return "\n".join(lines + _gate(report, "every check passed", "result(s) failed or unverified")) + "\n"
    lines += [
        "",
        f"  coverage: {coverage['evaluated']} of {coverage['total']} resources evaluated by ISO27017 rules "
        f"({coverage['percent']}%)",
        f"  acknowledgements: {summary['acknowledgements']}",
        "  packs: " + ", ".join(f"{p['name']} {p['unacknowledged']} unacknowledged"
                                for p in report["source"]["packs"]),
    ]
    return "\n".join(lines + _gate(report, "no unacknowledged findings", "unacknowledged finding(s)")) + "\n"


def _gate(report: dict[str, Any], passed: str, blocking: str) -> list[str]:
    gate = report["gate"]
    if gate["passed"]:
        return [f"  gate: PASSED ({passed})"]
    lines = [f"  gate: FAILED ({len(gate['blocking'])} {blocking})"]
    for item in gate["blocking"]:
        clauses_text = f"[{', '.join(item['clauses'])}] " if item["clauses"] else ""
        lines.append(f"    {item['status'].upper()} {clauses_text}{item['rule']} at {item['path']}: {item['message']}")
    return lines
