from config.settings import JAPAN_REGIONS
from nag_rules.assembly import Resource
from nag_rules.engine import Check, Rule, compliant, non_compliant
from nag_rules.resource_types import DATA_STORE_TYPES


def data_store_region_japan(resource: Resource) -> Check:
    stack = resource.stack
    if stack.region is None:
        return non_compliant(
            f"stack {stack.display_name} is environment-agnostic ({stack.environment}): "
            "the region its data lands in is unknown until deploy time"
        )
    if stack.region not in JAPAN_REGIONS:
        return non_compliant(f"stack {stack.display_name} deploys to {stack.region}")
    return compliant(f"stack {stack.display_name} deploys to {stack.region}")


RULE = Rule(
    name="DataStoreRegionJapan",
    clauses=("6.1.3",),
    resource_types=DATA_STORE_TYPES,
    info="The data store is not deployed to a Japanese region (ap-northeast-1 or ap-northeast-3).",
    explanation=(
        "The whitepaper states that data stored on the service is located in Japan. Give every "
        "stack an explicit environment whose region is ap-northeast-1 or ap-northeast-3; an "
        "environment-agnostic stack can be deployed anywhere, so it cannot prove where its data is."
    ),
    check=data_store_region_japan,
)
