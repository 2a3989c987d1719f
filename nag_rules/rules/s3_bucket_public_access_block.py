from nag_rules.assembly import Resource, show
from nag_rules.engine import Check, Rule, compliant, non_compliant

SETTINGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def s3_bucket_public_access_block(resource: Resource) -> Check:
    block = resource.prop("PublicAccessBlockConfiguration")
    if not isinstance(block, dict):
        return non_compliant("no PublicAccessBlockConfiguration: the bucket relies on the account's settings")
    off = [name for name in SETTINGS if block.get(name) not in (True, "true")]
    if off:
        return non_compliant(f"PublicAccessBlockConfiguration leaves {', '.join(off)} off ({show(block)})")
    return compliant("PublicAccessBlockConfiguration blocks public ACLs and policies (all four settings true)")


RULE = Rule(
    name="S3BucketPublicAccessBlock",
    clauses=("18.1.3", "9.4.1"),
    resource_types=("AWS::S3::Bucket",),
    info="The S3 bucket does not block every form of public access.",
    explanation=(
        "Records are access-restricted: every bucket sets all four public access block settings, so no "
        "ACL or policy can make it public. Use block_public_access=BlockPublicAccess.BLOCK_ALL."
    ),
    check=s3_bucket_public_access_block,
    security_hub=("S3.8",),
)
