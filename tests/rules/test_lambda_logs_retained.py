import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from nag_rules import Status
from nag_rules.rules.lambda_logs_retained import RULE
from tests.helpers import TOKYO, evaluations_of, new_stack, only, retained_logs

CODE = lambda_.Code.from_inline("def handler(event, context):\n    return 1\n")


def _function(stack: cdk.Stack, **props) -> lambda_.Function:
    return lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler", code=CODE,
                            **props)


def _cfn_function(stack: cdk.Stack, **props) -> lambda_.CfnFunction:
    role = iam.Role(stack, "FnRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    return lambda_.CfnFunction(stack, "Fn", runtime="python3.12", handler="index.handler", role=role.role_arn,
                               code=lambda_.CfnFunction.CodeProperty(zip_file="def handler(e, c):\n    return 1\n"),
                               **props)


def test_noncompliance_1_automatic_log_group():
    stack = new_stack()
    _cfn_function(stack, function_name="uploads")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("no LoggingConfig.LogGroup: writes to the automatic log group /aws/lambda/uploads, "
                                   "which Lambda creates itself, neither encrypted with a customer managed key nor "
                                   "kept by this app")


def test_noncompliance_2_log_group_kept_a_week_without_a_key():
    stack = new_stack()
    group = logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_WEEK)
    _function(stack, log_group=group)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("LoggingConfig.LogGroup = Test/Logs/Resource: RetentionInDays = 7 (< 365); "
                                   "KmsKeyId absent: not encrypted with a customer managed key")


def test_noncompliance_3_automatic_group_defined_by_the_app_but_unencrypted():
    stack = new_stack()
    function = _cfn_function(stack)
    logs.CfnLogGroup(stack, "FnLogs", log_group_name=f"/aws/lambda/{function.ref}", retention_in_days=365)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("writes to /aws/lambda/<generated name>, created by Test/FnLogs: "
                                   "KmsKeyId absent: not encrypted with a customer managed key")


def test_noncompliance_4_log_group_outside_the_app_is_unresolved():
    stack = new_stack()
    _cfn_function(stack, logging_config=lambda_.CfnFunction.LoggingConfigProperty(log_group="/shared/functions"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == ("LoggingConfig.LogGroup = /shared/functions: a log group outside this app, whose "
                                   "retention and encryption cannot be known")


def test_compliance_1_retained_log_group_by_reference():
    stack = new_stack()
    _function(stack, log_group=retained_logs(stack))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("LoggingConfig.LogGroup = Test/Logs/Resource: RetentionInDays = 365; "
                                   "KmsKeyId = Test/LogsKey/Resource (customer managed)")


def test_compliance_2_log_group_of_another_stack_named_literally():
    stack = new_stack()
    shared = cdk.Stack(stack.node.scope, "Shared", env=TOKYO)
    key = kms.Key(shared, "Key", enable_key_rotation=True)
    logs.LogGroup(shared, "Logs", log_group_name="/shared/functions", retention=logs.RetentionDays.TWO_YEARS,
                  encryption_key=key)
    _cfn_function(stack, logging_config=lambda_.CfnFunction.LoggingConfigProperty(log_group="/shared/functions"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("LoggingConfig.LogGroup = /shared/functions (Shared/Logs/Resource): "
                                          "RetentionInDays = 731")


def test_compliance_3_automatic_group_defined_by_the_app():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    _cfn_function(stack, function_name="uploads")
    logs.LogGroup(stack, "FnLogs", log_group_name="/aws/lambda/uploads", encryption_key=key,
                  retention=logs.RetentionDays.ONE_YEAR)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("writes to /aws/lambda/uploads, created by Test/FnLogs/Resource: "
                                   "RetentionInDays = 365; KmsKeyId = Test/Key/Resource (customer managed)")
