import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def default_assembly() -> Path:
    """The default app, synthesized once per session in-process with every pack, as app.py builds it."""
    import app as project
    from config import load_environment
    from tests.helpers import new_app

    app = new_app()
    project.build(app, load_environment())
    app.synth()
    return Path(app.outdir)


PLANTED_REASON = "Planted for the test: this exception is deliberate and documented here."


@pytest.fixture(scope="session")
def default_report(default_assembly):
    from compliance.results import build_report

    return build_report(default_assembly)


@pytest.fixture(scope="session")
def planted_assembly() -> Path:
    """One violation (6.1.3), one unresolved (10.1.1) and one acknowledged exception (12.4.1)."""
    import aws_cdk as cdk
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_sqs as sqs

    from nag_rules import register_packs
    from tests.helpers import TOKYO, new_app, retained_logs

    app = new_app()
    tokyo = cdk.Stack(app, "Tokyo", env=TOKYO)
    group = retained_logs(tokyo, "ShortLogs")
    group.node.default_child.add_property_override("RetentionInDays", 30)
    cdk.Validations.of(group).acknowledge(cdk.Acknowledgment(id="ISO27017-LogGroupRetention", reason=PLANTED_REASON))
    stage = cdk.CfnParameter(tokyo, "Stage", type="String", allowed_values=["dev", "prod"])
    production = cdk.CfnCondition(tokyo, "Production", expression=cdk.Fn.condition_equals(stage.value_as_string, "prod"))
    kms.CfnKey(tokyo, "Key", enable_key_rotation=cdk.Fn.condition_if(production.logical_id, True, False),
               key_policy={"Version": "2012-10-17", "Statement": []})
    cdk.Tags.of(tokyo).add("DataClassification", "operations")
    anywhere = cdk.Stack(app, "Anywhere")
    queue = sqs.Queue(anywhere, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED)
    for rule in ("ISO27017-KmsCmkEncryption", "ISO27017-DataClassificationTag"):
        cdk.Validations.of(queue).acknowledge(cdk.Acknowledgment(id=rule, reason=PLANTED_REASON))
    register_packs(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    return Path(app.outdir)
