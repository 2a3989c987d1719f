"""The ISO 27017 cdk-nag pack.

cdk-nag's own tree walk calls back into Python once per CfnResource, and a rule callback per
rule per resource would cross the jsii bridge thousands of times. So this pack evaluates every
rule in Python, once, on the synthesized templates (which CDK writes before it runs
validation plugins), records every evaluation, and hands CDK a report holding only the
findings that must fail synthesis, each with its evidence: no call across the bridge per resource.
Acknowledgements are matched as cdk-nag and CDK match them (see CloudAssembly.acknowledgement_for).
"""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import aws_cdk as cdk
from cdk_nag import NagPack

from nag_rules.assembly import CloudAssembly, acknowledgements_in
from nag_rules.engine import EVALUATIONS_FILE, PACK_NAME, Evaluation, Outcome, Rule, evaluate
from nag_rules.rules import all_rules


class Iso27017Checks(NagPack):
    """Checks the promises of the tomoLinks ISO/IEC 27017 whitepaper.

    Register with ``Validations.of(app).add_plugins(Iso27017Checks(app))`` (or
    ``register_packs``), or run directly with ``Iso27017Checks().validate_scope(construct)``,
    which synthesizes the construct's app first. After a run, ``evaluations`` holds every
    evaluation: compliant, violated, acknowledged and unresolved.
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
        self._rules: tuple[Rule, ...] = tuple(rules) if rules is not None else all_rules()
        self._companions = tuple(companion_packs)
        self._evaluations: list[Evaluation] = []
        self._assembly: CloudAssembly | None = None
        self._environment: str | None = None
        self._in_synthesis = False

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
        """CDK's entry point, after it has written the templates: evaluate them and keep the records."""
        self._in_synthesis = True
        try:
            report = super().validate(context)
        finally:
            self._in_synthesis = False
        if self._assembly is not None:
            write_evaluations(self._assembly, self._rules, self._evaluations,
                              packs=(PACK_NAME, *self._companions), environment=self._environment)
        return report

    def validate_scope(self, scope: Any) -> cdk.PolicyValidationPluginReport:
        root = scope.node.root
        if not isinstance(root, cdk.Stage):
            raise TypeError("Iso27017Checks validates constructs inside a cdk.App")
        if not self._in_synthesis:
            _synthesize(root)  # direct use: make sure the templates on disk are this app's
        on_app = acknowledgements_in("", [{"type": e.type, "data": e.data} for e in root.node.metadata], stack="")
        environment = root.node.try_get_context("env")
        outdir, within = Path(root.outdir), scope.node.path
        with _no_cyclic_gc():
            assembly = CloudAssembly.load(outdir, extra_acknowledgements=on_app)
            self._evaluations = evaluate(assembly, self._rules, within=within)
        self._assembly = assembly
        self._environment = environment if isinstance(environment, str) else None
        return _policy_report([e for e in self._evaluations if e.blocks_gate])

    def _check_resource(self, node: cdk.CfnResource) -> None:
        raise NotImplementedError("Iso27017Checks evaluates the synthesized templates in validate_scope")


def register_packs(app: cdk.Stage, *companions: NagPack) -> Iso27017Checks:
    """Register the ISO27017 pack and ``companions`` on ``app``; the report names every one of them."""
    iso = Iso27017Checks(app, companion_packs=[pack.name for pack in companions])
    cdk.Validations.of(app).add_plugins(iso, *companions)
    return iso


def write_evaluations(
    assembly: CloudAssembly,
    rules: Iterable[Rule],
    evaluations: Iterable[Evaluation],
    *,
    packs: Iterable[str] = (PACK_NAME,),
    environment: str | None = None,
) -> Path:
    """The pack's records, tied to the templates they were made from by their hashes."""
    document = {
        "pack": PACK_NAME,
        "packs": list(packs),
        "environment": environment,
        "templates": assembly.template_hashes,
        "rules": [rule.to_dict() for rule in rules],
        "evaluations": [evaluation.to_dict() for evaluation in evaluations],
    }
    target = assembly.directory / EVALUATIONS_FILE
    target.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return target


def _policy_report(findings: list[Evaluation]) -> cdk.PolicyValidationPluginReport:
    """CDK's report: one violation per finding, so each carries its own evidence."""
    violations = [
        cdk.PolicyViolation(
            rule_name=finding.rule.id,
            description=_describe(finding),
            severity=finding.rule.severity.value,
            fix=finding.rule.explanation,
            rule_metadata={"clauses": ", ".join(finding.rule.clauses), "outcome": finding.outcome.value},
            violating_resources=[cdk.PolicyViolatingResource(
                construct_path=finding.resource.path,
                resource_logical_id=finding.resource.logical_id,
                template_path=str(finding.resource.stack.template_file),
                locations=["Properties"],
            )],
        )
        for finding in findings
    ]
    return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)


def _describe(finding: Evaluation) -> str:
    clauses = ", ".join(finding.rule.clauses)
    if finding.outcome is Outcome.UNRESOLVED:
        return f"[{clauses}] Could not be verified at synth time, so it counts as a violation: {finding.evidence}"
    return f"{finding.rule.description} Evidence: {finding.evidence}"


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Parsing the templates allocates many small objects; in a process holding the whole CDK
    object graph, the collections they trigger cost more than the parsing. Nothing here makes
    cycles, so collection waits until the work is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _synthesize(root: cdk.Stage) -> None:
    """Write the templates the rules read (CDK caches an app's synthesis)."""
    try:
        root.synth()
    except RuntimeError as error:
        if "ValidationFailed" not in str(error):  # other packs may fail; the files are written
            raise
