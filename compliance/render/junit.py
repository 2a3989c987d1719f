"""JUnit XML for CI test views: a suite per ISO27017 rule (a test per evaluated resource), a suite per
other pack (a test per finding or acknowledgement) and a suite for the gate's other blocking items."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from compliance.render.sarif import DRIVER, evaluations_by_rule, gate_only

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(report: dict[str, Any]) -> str:
    root = ET.Element("testsuites", name=DRIVER)
    evaluations = evaluations_by_rule(report)
    for rule in report["rules"]:
        suite = _suite(root, rule["id"])
        for evaluation in evaluations[rule["id"]]:
            case = _case(suite, rule["id"], evaluation["path"])
            status = evaluation["status"]
            if status in ("violated", "unresolved"):
                _fail(case, f"{status}: [{', '.join(rule['clauses'])}] {rule['info']}", status,
                      evaluation["evidence"])
            elif status == "acknowledged":
                _skip(case, (evaluation.get("acknowledgement") or {}).get("reason", ""))
    packs = [p["name"] for p in report["source"]["packs"]]
    packs += [entry["pack"] for entry in report["findings"] + report["acknowledgements"]]
    for pack in (p for p in dict.fromkeys(packs) if p != DRIVER):
        suite = _suite(root, pack)
        for finding in (f for f in report["findings"] if f["pack"] == pack):
            _fail(_case(suite, finding["rule"], finding["path"]), f"{finding['severity']}: {finding['description']}",
                  "violated", finding["description"])
        for acknowledgement in (a for a in report["acknowledgements"] if a["pack"] == pack):
            _skip(_case(suite, acknowledgement["rule"], acknowledgement["path"] or "(app)"), acknowledgement["reason"])
    others = gate_only(report, evaluations)
    if others:
        suite = _suite(root, "gate")
        for item in others:
            case = _case(suite, f"{item['pack']}.{item['rule']}", item["path"] or "(app)")
            _fail(case, item["message"], item["status"], item["message"])
    for suite in root:
        _count(suite, suite.findall("testcase"))
    _count(root, root.findall("testsuite/testcase"))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(root: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=_text(name))


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=_text(classname), name=_text(name))


def _fail(case: ET.Element, message: str, kind: str, text: str) -> None:
    ET.SubElement(case, "failure", message=_text(message), type=kind).text = _text(text)


def _skip(case: ET.Element, reason: str) -> None:
    ET.SubElement(case, "skipped", message=_text(f"acknowledged: {reason}"))


def _count(element: ET.Element, cases: list[ET.Element]) -> None:
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    element.set("errors", "0")
    element.set("skipped", str(sum(1 for case in cases if case.find("skipped") is not None)))


def _text(value: Any) -> str:
    """Characters XML 1.0 cannot hold, even escaped, are dropped."""
    return _NOT_XML.sub("", str(value))
