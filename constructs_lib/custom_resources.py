"""The CDK's own custom resource functions: acknowledged for what they are, and logging where logs are kept."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import custom_resources as cr

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup


def acknowledge_custom_resource_function(stack: cdk.Stack) -> None:
    """Acknowledge the NIST/HIPAA Lambda findings on the stack's AwsCustomResource provider function."""
    function = stack.node.find_child("AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""))
    reason = ("This is the AWS CDK's own function behind AwsCustomResource; CloudFormation invokes it only "
              "while deploying this stack, to call AWS APIs on their public endpoints")
    acknowledge(function, f"{reason}, so it has nothing to reach inside a VPC.",
                "NIST.800.53.R5-LambdaInsideVPC", "HIPAA.Security-LambdaInsideVPC")
    acknowledge(function, f"{reason}; a failed call fails the deployment, where a dead-letter queue would "
                          "hide it.", "NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ")
    acknowledge(function, f"{reason}, once per deployment, so it cannot exhaust the account's concurrency; "
                          "reserving some would take it from the application.",
                "NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency")


def keep_provider_logs(stack: cdk.Stack, provider_id: str, *, key: DataClassKey, retention_days: int) -> None:
    """Send the logs of a CDK custom resource provider's function (``provider_id``, e.g.
    ``Custom::VpcRestrictDefaultSGCustomResourceProvider``) to an encrypted log group kept ``retention_days``,
    instead of the automatic /aws/lambda/ group, which is neither encrypted nor kept (12.4.1)."""
    provider = stack.node.try_find_child(provider_id)
    if provider is None:
        raise ValueError(f"{stack.node.path}: no custom resource provider {provider_id}")
    handler = provider.node.find_child("Handler")
    if not isinstance(handler, cdk.CfnResource) or handler.cfn_resource_type != "AWS::Lambda::Function":
        raise ValueError(f"{provider.node.path}/Handler is not a Lambda function")
    logs = RetainedLogGroup(provider, "Logs", encryption_key=key, retention_days=retention_days)
    handler.add_property_override("LoggingConfig", {"LogGroup": logs.log_group_name})
    handler.node.add_dependency(logs)
