from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def dynamo_db_kms_cmk(resource: Resource) -> Check:
    sse = resource.prop("SSESpecification")
    if not isinstance(sse, dict):
        return non_compliant("no SSESpecification: DynamoDB encrypts with an AWS owned key")
    enabled, kind = sse.get("SSEEnabled"), sse.get("SSEType", "KMS")
    if is_intrinsic(enabled):
        return unresolved(f"SSEEnabled = {show(enabled)}")
    if enabled not in (True, "true") or kind != "KMS":
        return non_compliant(f"SSESpecification = {show(sse)}: an AWS owned key")
    keys = [("KMSMasterKeyId", sse.get("KMSMasterKeyId"))]
    if resource.type == "AWS::DynamoDB::GlobalTable":
        keys = [(f"replica {r.get('Region')} KMSMasterKeyId", (r.get("SSESpecification") or {}).get("KMSMasterKeyId"))
                for r in resource.prop("Replicas", default=[]) if isinstance(r, dict)]
    evidence = []
    for field, key in keys:
        if key is None:
            return non_compliant(f"{field} absent: the AWS managed key aws/dynamodb")
        found = customer_managed_key(resource, key, field)
        if not isinstance(found, str):
            return found
        evidence.append(f"{field} = {found}")
    return compliant("SSEType = KMS; " + "; ".join(evidence) + " (customer managed)")


RULE = Rule(
    name="DynamoDbKmsCmk",
    clauses=("10.1.1",),
    resource_types=("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"),
    info="The DynamoDB table is not encrypted with a customer managed KMS key.",
    explanation=(
        "Daily records (attendance, well-being) are customer data: encrypt the table with the customer "
        "data key (TableEncryptionV2.customerManagedKey), not the AWS owned or AWS managed key."
    ),
    check=dynamo_db_kms_cmk,
)
