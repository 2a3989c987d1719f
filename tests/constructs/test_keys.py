import pytest
from aws_cdk import assertions as A

from constructs_lib import DataClass, DataClassKey, DataClassKeys
from tests.helpers import new_stack


def test_key_has_rotation_alias_retention_and_tag():
    stack = new_stack()
    DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="tomolinks-test")
    template = A.Template.from_stack(stack)
    template.has_resource("AWS::KMS::Key", {
        "Properties": A.Match.object_like({
            "EnableKeyRotation": True,
            "RotationPeriodInDays": 365,
            "PendingWindowInDays": 30,
            "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "customer"}]),
        }),
        "DeletionPolicy": "RetainExceptOnCreate",
        "UpdateReplacePolicy": "Retain",
    })
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/tomolinks-test/customer"})


def test_security_critical_values_cannot_be_turned_off():
    stack = new_stack()
    DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p",
                 enable_key_rotation=False, description="caller's description")
    A.Template.from_stack(stack).has_resource_properties("AWS::KMS::Key", {
        "EnableKeyRotation": True,
        "Description": "caller's description",
    })


def test_key_policy_lets_the_account_manage_but_use_only_through_services_and_own_roles():
    stack = new_stack()
    DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="p")
    root = {"AWS": "arn:aws:iam::123456789012:root"}
    data_actions = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                    "kms:ReEncrypt*"]
    (key,) = A.Template.from_stack(stack).find_resources("AWS::KMS::Key").values()
    statements = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    assert set(statements) == {"KeyAdministrationThroughIam", "UseThroughTheServicesThatStoreThisClass",
                               "UseByThisServicesOwnRoles"}
    admin = statements["KeyAdministrationThroughIam"]
    assert admin["Principal"] == root and "Condition" not in admin
    assert not {"kms:*", "kms:Decrypt", "kms:Encrypt", "kms:CreateGrant", "kms:Create*"} & set(admin["Action"])
    services = statements["UseThroughTheServicesThatStoreThisClass"]
    assert services["Principal"] == root and sorted(services["Action"]) == data_actions
    assert services["Condition"]["StringEquals"] == {"kms:CallerAccount": "123456789012", "kms:ViaService": [
        f"{service}.ap-northeast-1.amazonaws.com" for service in ("rds", "dynamodb", "s3", "secretsmanager", "backup",
                                                                  "ec2")]}
    roles = statements["UseByThisServicesOwnRoles"]
    assert sorted(roles["Action"]) == data_actions
    assert roles["Condition"] == {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/p-*"}}


def test_no_statement_names_a_wildcard_principal():
    stack = new_stack()
    keys = DataClassKeys(stack, "Keys", alias_prefix="p")
    keys.operations.allow_cloudwatch_logs()
    for key in A.Template.from_stack(stack).find_resources("AWS::KMS::Key").values():
        for statement in key["Properties"]["KeyPolicy"]["Statement"]:
            principal = statement["Principal"]
            assert principal != "*" and "*" not in (principal.get("AWS"), principal.get("Service"))


def test_one_key_per_data_class_tagged_with_its_class():
    stack = new_stack()
    keys = DataClassKeys(stack, "Keys", alias_prefix="p")
    template = A.Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 3)
    for data_class in DataClass:
        assert keys.for_class(data_class).data_class is data_class
        template.has_resource_properties("AWS::KMS::Key", {
            "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": data_class.value}]),
        })
        template.has_resource_properties("AWS::KMS::Alias", {"AliasName": f"alias/p/{data_class.value}"})


def test_cloudwatch_logs_grant_is_scoped_to_the_account_and_region_and_added_once():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    key.allow_cloudwatch_logs()
    key.allow_cloudwatch_logs()
    statements = A.Template.from_stack(stack).find_resources("AWS::KMS::Key")
    (resource,) = statements.values()
    grants = [s for s in resource["Properties"]["KeyPolicy"]["Statement"]
              if s.get("Sid") == "AllowCloudWatchLogsOfThisAccountAndRegion"]
    assert len(grants) == 1
    assert grants[0]["Principal"] == {"Service": "logs.ap-northeast-1.amazonaws.com"}
    assert grants[0]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        "arn:aws:logs:ap-northeast-1:123456789012:log-group:*")


@pytest.mark.parametrize("data_class", list(DataClass))
def test_data_class_values_are_the_asset_register_values(data_class):
    assert data_class.value in ("customer", "service-derived", "operations")
