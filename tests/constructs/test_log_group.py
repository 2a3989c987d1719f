import pytest
from aws_cdk import assertions as A

from constructs_lib import DataClass, DataClassKey, RetainedLogGroup
from tests.helpers import new_stack


def _key(stack, data_class=DataClass.OPERATIONS):
    return DataClassKey(stack, "Key", data_class=data_class, alias_prefix="p")


def test_log_group_is_encrypted_retained_and_classified():
    stack = new_stack()
    RetainedLogGroup(stack, "Logs", encryption_key=_key(stack), retention_days=731)
    template = A.Template.from_stack(stack)
    template.has_resource("AWS::Logs::LogGroup", {
        "Properties": A.Match.object_like({
            "RetentionInDays": 731,
            "KmsKeyId": {"Fn::GetAtt": [A.Match.any_value(), "Arn"]},
            "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "operations"}]),
        }),
        "DeletionPolicy": "RetainExceptOnCreate",
    })
    template.has_resource_properties("AWS::KMS::Key", {
        "KeyPolicy": {"Statement": A.Match.array_with([A.Match.object_like({
            "Principal": {"Service": "logs.ap-northeast-1.amazonaws.com"},
        })])},
    })


def test_default_retention_is_one_year():
    stack = new_stack()
    RetainedLogGroup(stack, "Logs", encryption_key=_key(stack))
    A.Template.from_stack(stack).has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 365})


def test_log_group_takes_the_class_of_its_key():
    stack = new_stack()
    RetainedLogGroup(stack, "Logs", encryption_key=_key(stack, DataClass.CUSTOMER))
    A.Template.from_stack(stack).has_resource_properties("AWS::Logs::LogGroup", {
        "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "customer"}]),
    })


@pytest.mark.parametrize("days", [0, 30, 180, 364, 366])
def test_retention_under_a_year_or_not_a_cloudwatch_value_is_refused(days):
    stack = new_stack()
    with pytest.raises(ValueError, match=r"retention_days=.*12\.4\.1"):
        RetainedLogGroup(stack, "Logs", encryption_key=_key(stack), retention_days=days)
