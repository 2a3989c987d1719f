"""The CDK's own custom resource functions: acknowledged for what they are, and logging where logs are kept."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import custom_resources as cr
from constructs import IConstruct

from constructs_lib.acknowledgements import acknowledge, skip_checkov
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup


def acknowledge_custom_resource_function(stack: cdk.Stack) -> None:
    """Acknowledge the NIST/HIPAA Lambda findings, and skip checkov's, on the stack's AwsCustomResource provider
    function."""
    function = stack.node.find_child("AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""))
    reasons = _deploy_time_function_reasons(
        "This is the AWS CDK's own function behind AwsCustomResource; CloudFormation invokes it only "
        "while deploying this stack, to call AWS APIs on their public endpoints")
    acknowledge(function, reasons["vpc"], "NIST.800.53.R5-LambdaInsideVPC", "HIPAA.Security-LambdaInsideVPC")
    acknowledge(function, reasons["dlq"], "NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ")
    acknowledge(function, reasons["concurrency"],
                "NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency")
    _skip_checkov_lambda_checks(function, reasons)


def skip_provider_function_checks(stack: cdk.Stack, provider_id: str, what: str) -> None:
    """Skip checkov's Lambda checks on a CDK custom resource provider's function (``provider_id``, e.g.
    ``Custom::VpcRestrictDefaultSGCustomResourceProvider``), which ``what`` says the use of; the cdk-nag packs
    do not see it (it is a plain CfnResource)."""
    provider = stack.node.try_find_child(provider_id)
    if provider is None:
        raise ValueError(f"{stack.node.path}: no custom resource provider {provider_id}")
    reasons = _deploy_time_function_reasons(
        f"This is the AWS CDK's own custom resource provider function that {what}; CloudFormation invokes it "
        "only while deploying this stack, to call AWS APIs on their public endpoints")
    _skip_checkov_lambda_checks(provider.node.find_child("Handler"), reasons)


def _deploy_time_function_reasons(reason: str) -> dict[str, str]:
    return {
        "vpc": f"{reason}, so it has nothing to reach inside a VPC.",
        "dlq": f"{reason}; a failed call fails the deployment, where a dead-letter queue would hide it.",
        "concurrency": f"{reason}, once per deployment, so it cannot exhaust the account's concurrency; "
                       "reserving some would take it from the application.",
    }


def _skip_checkov_lambda_checks(function: IConstruct, reasons: dict[str, str]) -> None:
    skip_checkov(function, "CKV_AWS_117", reasons["vpc"])
    skip_checkov(function, "CKV_AWS_116", reasons["dlq"])
    skip_checkov(function, "CKV_AWS_115", reasons["concurrency"])


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
