import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3

from constructs_lib import DataClass, classify
from nag_rules import Status
from nag_rules.rules.data_classification_tag import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_untagged_bucket():
    stack = new_stack()
    s3.Bucket(stack, "Bucket")
    assert "no DataClassification tag" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_2_unknown_class():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    cdk.Tags.of(bucket).add("DataClassification", "secret")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "DataClassification = secret; allowed: customer, service-derived, operations"


def test_compliance_1_classified_bucket():
    stack = new_stack()
    classify(s3.Bucket(stack, "Bucket"), DataClass.SERVICE_DERIVED)
    assert only(evaluations_of(stack, RULE)).evidence == "DataClassification = service-derived"


def test_compliance_2_global_table_tags_per_replica():
    stack = new_stack()
    table = dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING))
    classify(table, DataClass.CUSTOMER)
    assert only(evaluations_of(stack, RULE)).evidence == "DataClassification = customer"


def test_noncompliance_3_launch_template_volumes_unclassified():
    from aws_cdk import aws_ec2 as ec2

    stack = new_stack()
    ec2.LaunchTemplate(stack, "Template", block_devices=[ec2.BlockDevice(
        device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True))])
    cdk.Tags.of(stack).add("Project", "p")
    evaluation = only([e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::EC2::LaunchTemplate"])
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "the volumes it launches carry no DataClassification tag"


def test_compliance_3_launch_template_volumes_classified():
    from aws_cdk import aws_ec2 as ec2

    stack = new_stack()
    template = ec2.LaunchTemplate(stack, "Template", block_devices=[ec2.BlockDevice(
        device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True))])
    classify(template, DataClass.CUSTOMER)
    evaluation = only([e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::EC2::LaunchTemplate"])
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "DataClassification = customer on the volumes it launches"
