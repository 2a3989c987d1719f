from nag_rules.assembly import Resource
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import PRIVATE_SERVICE_ENDPOINTS


def vpc_service_endpoints(resource: Resource) -> Check:
    services: set[str] = set()
    unknown = []
    for endpoint in resource.stack.assembly.of_type("AWS::EC2::VPCEndpoint"):
        if endpoint.target(endpoint.prop("VpcId")) is not resource:
            continue
        name = text(endpoint.prop("ServiceName"), endpoint)
        if name is None:
            unknown.append(endpoint.path)
        else:
            services.add(name.rsplit(".", 1)[-1])
    missing = [s for s in PRIVATE_SERVICE_ENDPOINTS if s not in services]
    if missing and unknown:
        return unresolved(f"no endpoint known for {', '.join(missing)}; service names of "
                          f"{', '.join(unknown)} are known only at deploy time")
    if missing:
        return non_compliant(f"no VPC endpoint for {', '.join(missing)}: that traffic leaves the VPC")
    return compliant(f"VPC endpoints for {', '.join(PRIVATE_SERVICE_ENDPOINTS)}")


RULE = Rule(
    name="VpcServiceEndpoints",
    clauses=("13.1.3",),
    resource_types=("AWS::EC2::VPC",),
    info="The VPC reaches some AWS services it depends on without a VPC endpoint.",
    explanation=(
        "Traffic to S3, KMS, CloudWatch Logs, Systems Manager and Secrets Manager stays inside the "
        "service's networks through gateway and interface endpoints; HardenedVpc adds them all."
    ),
    check=vpc_service_endpoints,
    security_hub=("EC2.10",),
)
