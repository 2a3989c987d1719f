"""A single self-contained HTML page: no external assets, readable offline."""

from __future__ import annotations

from html import escape
from typing import Any, Iterable, Sequence

from compliance.render.asset_register import classification_counts, deletion_text
from compliance.render.markdown import AUDIT_LEGEND
from compliance.render.network_svg import render_network_svg


_CSS = """
:root { --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans JP", Meiryo, sans-serif;
       margin: 0; color: #1f2328; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin-top: 32px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 24px 0 8px; }
.meta { color: var(--muted); }
.gate { padding: 12px 16px; border-radius: 6px; margin: 16px 0; font-weight: 600; }
.gate.passed { background: #dafbe1; color: var(--ok); }
.gate.failed { background: #ffebe9; color: var(--bad); }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 110px; background: #fff; }
.card b { display: block; font-size: 20px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.status { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
          white-space: nowrap; background: var(--bg); border: 1px solid var(--line); }
.s-met, .s-compliant { color: var(--ok); border-color: var(--ok); }
.s-violated { color: #fff; background: var(--bad); border-color: var(--bad); }
.s-unresolved { color: var(--bad); border-color: var(--bad); }
.s-acknowledged { color: var(--warn); border-color: var(--warn); }
.s-not-evaluated { color: var(--muted); border-style: dashed; }
details.clause { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; background: #fff; }
details.clause > summary { cursor: pointer; padding: 8px 12px; list-style: none; display: flex; gap: 12px;
                           align-items: baseline; }
details.clause > summary::-webkit-details-marker { display: none; }
details.clause[open] > summary { border-bottom: 1px solid var(--line); background: var(--bg); }
.clause-body { padding: 8px 16px 16px; }
.cid { font-weight: 700; min-width: 92px; }
.titles { flex: 1; }
.titles small { display: block; color: var(--muted); }
.bilingual { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.bilingual > div { background: var(--bg); border-radius: 6px; padding: 8px 12px; white-space: pre-wrap; }
.label { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.toolbar { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid var(--line);
           display: flex; flex-wrap: wrap; gap: 8px; align-items: center; z-index: 1; }
.toolbar button { border: 1px solid var(--line); background: #fff; border-radius: 14px; padding: 2px 10px; cursor: pointer; }
.toolbar button.active { background: #1f2328; color: #fff; }
.toolbar input { flex: 1; min-width: 200px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; }
@media (max-width: 800px) { .bilingual { grid-template-columns: 1fr; } }
@media print { .toolbar { display: none; } details.clause { break-inside: avoid; } }
"""

_JS = """
(function () {
  var active = 'all';
  var box = document.getElementById('q');
  function apply() {
    var q = box.value.toLowerCase();
    document.querySelectorAll('details.clause').forEach(function (d) {
      var okStatus = active === 'all' || d.dataset.status === active;
      var okText = !q || d.textContent.toLowerCase().indexOf(q) >= 0;
      d.style.display = okStatus && okText ? '' : 'none';
    });
  }
  document.querySelectorAll('.toolbar button[data-status]').forEach(function (b) {
    b.addEventListener('click', function () {
      active = b.dataset.status;
      document.querySelectorAll('.toolbar button[data-status]').forEach(function (x) {
        x.classList.toggle('active', x === b);
      });
      apply();
    });
  });
  box.addEventListener('input', apply);
  document.getElementById('expand').addEventListener('click', function () {
    document.querySelectorAll('details.clause').forEach(function (d) { d.open = true; });
  });
  document.getElementById('collapse').addEventListener('click', function () {
    document.querySelectorAll('details.clause').forEach(function (d) { d.open = false; });
  });
})();
"""


def render_html(report: dict[str, Any]) -> str:
    doc = report["document"]
    source = report["source"]
    summary = report["summary"]
    coverage = summary["coverage"]
    gate = report["gate"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(report['title'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header>",
        f"<h1>{_e(report['title'])}</h1>",
        f"<div class='meta'>{_e(doc['ja'])} / {_e(doc['en'])} — {_e(doc['standard'])}</div>",
        f"<div class='meta'>Generated {_e(report['generated_at'])} from <code>{_e(source['assembly'])}</code>, "
        f"environment <code>{_e(source.get('environment') or '-')}</code>; "
        + ", ".join(f"{_e(k)} {_e(v)}" for k, v in source["tools"].items()) + "</div>",
        "</header><main>",
    ]
    if gate["passed"]:
        parts.append("<div class='gate passed'>Gate passed: no unacknowledged finding from any pack.</div>")
    else:
        parts.append(f"<div class='gate failed'>Gate FAILED: {len(gate['blocking'])} unacknowledged finding(s).</div>")
        parts += _table(["Result", "Clauses", "Rule", "Resource", "Message"], [
            [_status(item["status"]), _e(", ".join(item["clauses"])), f"<code>{_e(item['rule'])}</code>",
             f"<code>{_e(item['path'])}</code>", _e(item["message"])] for item in gate["blocking"]
        ])
    parts.append("<h2>Summary</h2><div class='cards'>")
    parts += [f"<div class='card'>{_status(s)}<b>{n}</b>clauses</div>" for s, n in summary["clauses"].items()]
    parts.append("</div><div class='cards'>")
    parts += [f"<div class='card'>{_status(s)}<b>{n}</b>evaluations</div>"
              for s, n in summary["evaluations"].items()]
    parts.append(
        "".join(f"<div class='card'>{_e(r)}<b>{n}</b>results</div>" for r, n in summary["results"].items())
        + "</div>" if report.get("kind") == "audit" else
        f"<div class='card'>coverage<b>{coverage['percent']}%</b>{coverage['evaluated']} of "
        f"{coverage['total']} resources</div></div>"
    )
    parts += _table(["Stack", "Stack name", "Environment", "Resources"], [
        [_e(s["name"]), _e(s["stack_name"]), f"<code>{_e(s['environment'])}</code>", s["resources"]]
        for s in source["stacks"]
    ])
    parts += _table(["Pack", "Registered with the app", "Unacknowledged findings"], [
        [_e(p["name"]), "yes" if p["registered"] else "no", p["unacknowledged"]] for p in source["packs"]
    ])
    if report.get("kind") == "audit":
        parts.append(f"<p>{_e(AUDIT_LEGEND)}</p>")
        parts += _combined(report.get("combined") or [])
    if report["network"] is not None:
        parts.append("<h2>Networks (13.1.3)</h2>")
        parts.append("<p>Drawn from the synthesized templates: each VPC with its subnet tiers, what runs in them, "
                     "and the only flows their security groups allow.</p>")
        parts.append(render_network_svg(report["network"]))
    parts.append("<h2>Clauses</h2>")
    parts.append("<div class='toolbar'><button class='active' data-status='all'>all</button>")
    present = [s for s, n in summary["clauses"].items() if n]
    parts += [f"<button data-status='{_e(s)}'>{_e(s)} ({summary['clauses'][s]})</button>" for s in present]
    parts.append("<input id='q' type='search' placeholder='Filter by clause, title, resource or evidence'>"
                 "<button id='expand'>expand all</button><button id='collapse'>collapse all</button></div>")
    chapter = None
    for clause in report["clauses"]:
        if clause["chapter"] != chapter:
            chapter = clause["chapter"]
            parts.append(f"<h3>{_e(chapter)} {_e(clause['chapter_title_ja'])} / {_e(clause['chapter_title_en'])}</h3>")
        parts += _clause(clause)
    if report.get("kind") != "audit":
        parts += _assets(report)
    parts.append("<h2>Resource index</h2>")
    parts.append(f"<p>{coverage['evaluated']} of {coverage['total']} resources were evaluated by at least one "
                 "ISO27017 rule; the others are listed as not evaluated.</p>")
    parts += _table(["Resource", "Stack", "Type", "Clauses", "Rules (result)"], [
        [f"<code>{_e(r['path'])}</code>", _e(r["stack"]), _e(r["type"]),
         _e(", ".join(r["clauses"])) if r["evaluated"] else _status("not evaluated"),
         "<br>".join(f"{_e(e['rule'])} {_status(e['status'])}" for e in r["evaluations"])]
        for r in sorted(report["resources"], key=lambda r: (not r["evaluated"], r["path"]))
    ])
    parts.append("<h2>Acknowledgements</h2>")
    if report["acknowledgements"]:
        parts += _table(["Pack", "Rule", "Acknowledged on", "Reason", "Owner", "Expires", "Matches a finding"], [
            [_e(a["pack"]), f"<code>{_e(a['rule'])}</code>", f"<code>{_e(a['path'] or '(app)')}</code>",
             _e(a["reason"]), _e(a.get("owner") or "-"),
             _status("violated") + " " + _e(a["expires"]) if a.get("expired") else _e(a.get("expires") or "-"),
             {True: "yes", False: "no (stale)", None: "not tracked"}[a["matched"]]]
            for a in report["acknowledgements"]
        ])
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Scanner skips</h2>")
    parts.append("<p>Checks of the external scanners (<code>make scan</code>) skipped in a resource's template "
                 "metadata, each with its reason.</p>")
    if report.get("scanner_skips"):
        parts += _table(["Scanner", "Check", "Resource", "Type", "Reason"], [
            [_e(s["pack"]), f"<code>{_e(s['rule'])}</code>", f"<code>{_e(s['path'])}</code>", _e(s["type"]),
             _e(s["reason"]) if s["reason_ok"] else _status("violated") + " no real reason: " + _e(s["reason"])]
            for s in report["scanner_skips"]
        ])
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Findings of the other packs</h2>")
    if report["findings"]:
        parts += _table(["Pack", "Rule", "Resource", "Severity", "Description"], [
            [_e(f["pack"]), f"<code>{_e(f['rule'])}</code>", f"<code>{_e(f['path'])}</code>",
             _e(f["severity"]), _e(f["description"])] for f in report["findings"]
        ])
    else:
        parts.append("<p>None unacknowledged.</p>")
    parts.append(f"</main><script>{_JS}</script></body></html>")
    return "\n".join(parts) + "\n"


def _combined(rows: list[dict[str, Any]]) -> list[str]:
    parts = ["<h2>Templates and account, per clause</h2>"]
    if not rows:
        return parts + ["<p>No clause report (<code>clause-report.json</code>) was beside this audit: run "
                        "<code>make report</code> first.</p>"]
    parts.append("<p>What the synthesized templates promise (the clause report) beside what the live account "
                 "shows (this audit).</p>")
    return parts + _table(["Clause", "Title", "Category", "Templates promise", "Account shows"], [
        [_e(r["id"]), f"{_e(r['title_ja'])}<br>{_e(r['title_en'])}", _e(r["category"]),
         (f"{_status(r['templates']['status'])} {r['templates']['counts']['compliant']} compliant<br>"
          + "<br>".join(f"<code>{_e(rule)}</code>" for rule in r["templates"]["rules"])) if r["templates"] else "-",
         f"{_status(r['account']['status'])} {r['account']['results']['pass']} pass, "
         f"{r['account']['results']['fail']} fail, {r['account']['results']['unverified']} unverified<br>"
         + "<br>".join(f"<code>{_e(check)}</code>" for check in r["account"]["checks"])]
        for r in rows
    ])


def _assets(report: dict[str, Any]) -> list[str]:
    assets = report.get("assets", [])
    parts = ["<h2>Asset register (8.1.1, 8.2.2)</h2>",
             f"<p>Every stateful resource ({len(assets)}) with its data class, the key that encrypts it, the backup "
             "plans that select it and how long it keeps data; also written as <code>asset-register.csv</code>.</p>",
             "<div class='cards'>"]
    parts += [f"<div class='card'>{_e(label)}<b>{n}</b>assets</div>" for label, n in classification_counts(report).items()]
    parts.append("</div>")
    parts += _table(["Resource", "Stack", "Type", "Classification", "KMS key", "Backup", "Retention", "Deletion policy"], [
        [f"<code>{_e(a['path'])}</code>", _e(a["stack"]), _e(a["type"]),
         _e(a["classification"]) if a["classification"] else _status("none"),
         "<br>".join(_e(k) for k in a["kms_keys"]), "<br>".join(_e(b) for b in a["backup"]) or "none",
         _e(a["retention"]), _e(deletion_text(a))]
        for a in assets
    ])
    return parts


def _clause(clause: dict[str, Any]) -> list[str]:
    status = clause["status"]
    opened = " open" if status in ("violated", "unresolved") else ""
    parts = [
        f"<details class='clause' id='clause-{_e(clause['id'])}' data-status='{_e(status)}'{opened}>",
        f"<summary><span class='cid'>{_e(clause['id'])}</span>"
        f"<span class='titles'>{_e(clause['title_ja'])}<small>{_e(clause['title_en'])}</small></span>"
        + (f"<span class='meta'>{_e(clause['category'])}</span>" if clause["category"] != status else "")
        + (f"<span class='meta'>Config rules: {len(clause['config_rules'])}</span>" if "config_rules" in clause else "")
        + f"{_status(status)}</summary>",
        "<div class='clause-body'>",
        f"<p>{_e(clause['status_note'])}</p>",
        "<div class='bilingual'>",
        f"<div><div class='label'>ホワイトペーパー (原文)</div>{_e(clause['statement_ja'])}</div>",
        f"<div><div class='label'>Summary (English)</div>{_e(clause['summary_en'])}</div>",
        "</div>",
        f"<p><span class='label'>Control (design intent)</span><br>{_e(clause['control_en'])}</p>",
    ]
    if clause.get("remaining_en"):
        parts.append("<div><span class='label'>Left to the application or the organisation</span><ul>"
                     + "".join(f"<li>{_e(duty)}</li>" for duty in clause["remaining_en"]) + "</ul></div>")
    if clause["security_hub"] or clause["security_hub_note"]:
        parts.append("<p><span class='label'>AWS Security Hub</span><br>")
        parts += [f"<code>{_e(c['id'])}</code> {_e(c['title'])} <span class='meta'>({_e(c['standards'])})</span><br>"
                  for c in clause["security_hub"]]
        if clause["security_hub_note"]:
            parts.append(f"<span class='meta'>{_e(clause['security_hub_note'])}</span>")
        parts.append("</p>")
    if clause.get("config_rules"):
        parts.append("<p><span class='label'>Watched at runtime by AWS Config</span><br>"
                     + "<br>".join(f"<code>{_e(r['name'])}</code> <span class='meta'>({_e(r['identifier'])})</span>"
                                   for r in clause["config_rules"]) + "</p>")
    if clause.get("config_rules_note"):
        parts.append("<p><span class='label'>Watched at runtime by AWS Config</span><br>"
                     f"<span class='meta'>No managed rule: {_e(clause['config_rules_note'])}</span></p>")
    for rule in clause["rules"]:
        parts.append(f"<p><span class='label'>Rule</span> <code>{_e(rule['id'])}</code> — {_e(rule['description'])}</p>")
        if rule["evaluations"]:
            parts += _table(["Resource", "Stack", "Type", "Result", "Evidence", "Acknowledgement"], [
                [f"<code>{_e(e['path'])}</code>", _e(e["stack"]), _e(e["type"]), _status(e["status"]),
                 _e(e["evidence"]), _e((e.get("acknowledgement") or {}).get("reason", ""))]
                for e in rule["evaluations"]
            ])
        else:
            parts.append("<p class='meta'>No resource of the rule's types is in this app.</p>")
    parts.append("</div></details>")
    return parts


def _status(status: str) -> str:
    return f"<span class='status s-{_e(status.replace(' ', '-'))}'>{_e(status)}</span>"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    out = ["<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows]
    out.append("</tbody></table>")
    return out


def _e(value: Any) -> str:
    return escape(str(value), quote=True)
