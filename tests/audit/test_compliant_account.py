from compliance.audit.checks import all_checks
from compliance.audit.framework import Result
from compliance.audit.runner import run_checks
from tests.audit.seed import MOTO_GAPS, seed_compliant_account


def test_every_check_passes_on_a_compliant_account(aws):
    seed_compliant_account()
    runs = run_checks(aws, all_checks())
    for run in runs:
        results = {f.result for f in run.findings}
        if run.check.id in MOTO_GAPS:
            assert Result.PASS not in results, (run.check.id, run.findings)
            continue
        assert run.findings, f"{run.check.id} judged nothing in the compliant account"
        assert results == {Result.PASS}, (run.check.id, [f for f in run.findings if f.result is not Result.PASS])
