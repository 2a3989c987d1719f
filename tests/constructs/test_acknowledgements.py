from datetime import date

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from constructs_lib import acknowledge
from tests.helpers import new_stack

REASON = "The bucket serves a documented exception that the whitepaper allows explicitly."


def test_acknowledges_each_rule_on_the_cloudformation_resource():
    bucket = s3.Bucket(new_stack(), "Bucket")
    acknowledge(bucket, REASON, "AwsSolutions-S1", "ISO27017-S3BucketKmsCmk")
    data = {}
    for entry in bucket.node.default_child.node.metadata:
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
            data.update(entry.data)
    assert data == {"Annotation::AwsSolutions-S1": REASON, "Annotation::ISO27017-S3BucketKmsCmk": REASON}
    assert not [e for e in bucket.node.metadata if e.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY]


@pytest.mark.parametrize("reason", ["", "because", "Not needed here.", "Acknowledged_because_of_reasons."])
def test_refuses_a_reason_that_is_not_a_sentence(reason):
    with pytest.raises(ValueError, match="full sentence"):
        acknowledge(s3.Bucket(new_stack(), "Bucket"), reason, "AwsSolutions-S1")


def test_refuses_no_rule():
    with pytest.raises(ValueError, match="at least one rule"):
        acknowledge(s3.Bucket(new_stack(), "Bucket"), REASON)


def test_owner_and_expiry_travel_in_the_reason_and_are_read_back():
    from nag_rules.assembly import acknowledgements_in

    stack = new_stack()
    group = logs.LogGroup(stack, "Logs", removal_policy=cdk.RemovalPolicy.RETAIN)
    acknowledge(group, REASON, "ISO27017-LogGroupRetention", owner="platform team", expires="2027-03-31")
    (entry,) = [e for e in group.node.default_child.node.metadata
                if e.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY]
    (ack,) = acknowledgements_in("S/Logs/Resource", [{"type": entry.type, "data": entry.data}], "S")
    assert ack.justification == REASON and ack.has_real_reason
    assert ack.owner == "platform team"
    assert ack.expires == date(2027, 3, 31)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"expires": "next spring"}, "expires='next spring'; allowed: an ISO date"),
    ({"owner": "team]"}, "owner='team]'; allowed: a name without"),
])
def test_bad_owner_or_expiry_is_refused(kwargs, message):
    stack = new_stack()
    group = logs.LogGroup(stack, "Logs", removal_policy=cdk.RemovalPolicy.RETAIN)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        acknowledge(group, REASON, "ISO27017-LogGroupRetention", **kwargs)
