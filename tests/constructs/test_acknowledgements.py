import aws_cdk as cdk
import pytest
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
