"""The ISO 27017 cdk-nag pack.

cdk-nag walks the construct tree in Node and calls back into Python once per CfnResource;
a callback per rule per resource would cross the jsii bridge thousands of times. So the
pack evaluates every rule in Python, once, on the synthesized templates (which CDK writes
before it runs validation plugins), records every evaluation, and hands cdk-nag only the
findings that must fail synthesis. cdk-nag and CDK then apply acknowledgements as they do
for any pack.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence

import aws_cdk as cdk
import jsii
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance

from nag_rules.assembly import ACKNOWLEDGED_RULES, Acknowledgement, CloudAssembly, without_annotation_prefix
from nag_rules.engine import PACK_NAME, Evaluation, Rule, Severity, evaluate
from nag_rules.rules import all_rules

EVALUATIONS_FILE = "iso27017-evaluations.json"


class Iso27017Checks(NagPack):
    """Checks the promises of the tomoLinks ISO/IEC 27017 whitepaper.

    Register with ``Validations.of(app).add_plugins(Iso27017Checks(app))``, or run directly
    with ``Iso27017Checks().validate_scope(construct)``. After a run, ``evaluations`` holds
    every evaluation: compliant, violated, acknowledged and unresolved.
    """

    def __init__(
        self,
        scope: Any = None,
        *,
        rules: Iterable[Rule] | None = None,
        companion_packs: Iterable[str] = (),
        verbose: bool | None = None,
    ) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._companions = tuple(companion_packs)
        self._rules: tuple[Rule, ...] = tuple(rules) if rules is not None else all_rules()
        self._evaluations: list[Evaluation] = []
        self._to_report: dict[str, list[Evaluation]] = {}
        self._outdir: Path | None = None

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    @property
    def evaluations(self) -> Sequence[Evaluation]:
        return tuple(self._evaluations)

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        report = super().validate(context)
        if self._outdir is not None:
            write_evaluations(self._outdir, self._rules, self._evaluations, packs=(PACK_NAME, *self._companions))
        return report

    def validate_scope(self, scope: Any) -> cdk.PolicyValidationPluginReport:
        root = scope.node.root
        if not isinstance(root, cdk.Stage):
            raise TypeError("Iso27017Checks validates constructs inside a cdk.App")
        self._outdir = Path(root.outdir)
        if not (self._outdir / "manifest.json").is_file():
            _synthesize(root)
        assembly = CloudAssembly.load(self._outdir)
        assembly.extra_acknowledgements.extend(_acknowledgements_on(root))
        self._evaluations = evaluate(assembly, self._rules, within=scope.node.path)
        self._to_report = defaultdict(list)
        for evaluation in self._evaluations:
            if evaluation.blocks_gate:
                self._to_report[evaluation.resource.path].append(evaluation)
        if not self._to_report:
            return cdk.PolicyValidationPluginReport(success=True, violations=[])
        return super().validate_scope(scope)

    def _check_resource(self, node: cdk.CfnResource) -> None:
        for evaluation in self._to_report.get(node.node.path, ()):
            self._apply_rule(_Finding(node, evaluation))


def register_packs(app: cdk.App, *companions: NagPack) -> Iso27017Checks:
    """Register the ISO27017 pack and ``companions`` on ``app``; the report names every one of them."""
    iso = Iso27017Checks(app, companion_packs=[pack.name for pack in companions])
    cdk.Validations.of(app).add_plugins(iso, *companions)
    return iso


def write_evaluations(
    outdir: Path, rules: Iterable[Rule], evaluations: Iterable[Evaluation], *, packs: Iterable[str] = (PACK_NAME,),
) -> Path:
    document = {
        "pack": PACK_NAME,
        "packs": list(packs),
        "rules": [rule.to_dict() for rule in rules],
        "evaluations": [evaluation.to_dict() for evaluation in evaluations],
    }
    target = outdir / EVALUATIONS_FILE
    target.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return target


@jsii.implements(IApplyRule)
class _Finding:
    """One finding handed to cdk-nag; its verdict was reached in Python already."""

    def __init__(self, node: cdk.CfnResource, evaluation: Evaluation) -> None:
        self._node = node
        self._evaluation = evaluation

    @property
    def node(self) -> cdk.CfnResource:
        return self._node

    @property
    def info(self) -> str:
        return self._evaluation.message()

    @property
    def explanation(self) -> str:
        return self._evaluation.rule.explanation

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR if self._evaluation.rule.severity is Severity.ERROR else NagMessageLevel.WARN

    @property
    def rule_suffix_override(self) -> str:
        return self._evaluation.rule.name

    def rule(self, node: cdk.CfnResource) -> NagRuleCompliance:
        return NagRuleCompliance.NON_COMPLIANT


def _synthesize(root: cdk.Stage) -> None:
    """Direct ``validate_scope`` before synthesis: write the templates the rules read."""
    try:
        root.synth()
    except RuntimeError as error:
        if "ValidationFailed" not in str(error):  # other packs may fail; the files are written
            raise


def _acknowledgements_on(root: cdk.Stage) -> list[Acknowledgement]:
    """Acknowledgements on the App itself, which no stack's metadata carries."""
    found = []
    for entry in root.node.metadata:
        if entry.type == ACKNOWLEDGED_RULES and isinstance(entry.data, dict):
            for rule_id, reason in entry.data.items():
                found.append(Acknowledgement(
                    rule_id=without_annotation_prefix(rule_id), path="", reason=str(reason), stack="",
                ))
    return found
