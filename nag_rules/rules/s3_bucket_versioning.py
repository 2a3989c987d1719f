from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def s3_bucket_versioning(resource: Resource) -> Check:
    status = resource.prop("VersioningConfiguration", "Status")
    if is_intrinsic(status):
        return unresolved(f"VersioningConfiguration.Status = {show(status)}")
    if status == "Enabled":
        return compliant("VersioningConfiguration.Status = Enabled")
    return non_compliant(f"VersioningConfiguration.Status = {show(status) if status else '(absent: never enabled)'}")


RULE = Rule(
    name="S3BucketVersioning",
    clauses=("18.1.3",),
    resource_types=("AWS::S3::Bucket",),
    info="The S3 bucket does not keep object versions.",
    explanation=(
        "Records are protected against tampering and loss: with versioning, an overwritten or deleted "
        "object can be recovered. Set versioned=True (the bucket constructs do)."
    ),
    check=s3_bucket_versioning,
    security_hub=("S3.14",),
)
