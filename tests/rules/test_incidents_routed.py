import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_securityhub as securityhub
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from constructs_lib import DataClass, DataClassKey, NotificationTopic
from constructs_lib.posture import IncidentRouting
from nag_rules import Status
from nag_rules.rules.incidents_routed import RULE
from tests.helpers import evaluations_of, new_stack, only

HUB_TYPE = "AWS::SecurityHub::Hub"
VAULT_TYPE = "AWS::Backup::BackupVault"
BACKUP = iam.ServicePrincipal("backup.amazonaws.com")


def _of(stack: cdk.Stack, resource_type: str):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.type == resource_type])


def _topic(stack: cdk.Stack, key: kms.IKey | None = None) -> sns.Topic:
    topic = sns.Topic(stack, "Topic", master_key=key or kms.Key(stack, "Key", enable_key_rotation=True))
    topic.add_subscription(subscriptions.EmailSubscription("security@example.com"))
    return topic


def _hub_rule(stack: cdk.Stack, topic: sns.ITopic, findings: dict | None) -> events.Rule:
    rule = events.Rule(stack, "Findings", event_pattern=events.EventPattern(
        source=["aws.securityhub"], detail_type=["Security Hub Findings - Imported"],
        detail={"findings": findings} if findings is not None else None))
    rule.add_target(targets.SnsTopic(topic))
    return rule


def _backup_rule(stack: cdk.Stack, topic: sns.ITopic, detail: dict | None) -> events.Rule:
    rule = events.Rule(stack, "Jobs", event_pattern=events.EventPattern(
        source=["aws.backup"], detail_type=["Backup Job State Change"], detail=detail))
    rule.add_target(targets.SnsTopic(topic))
    return rule


def _notifying_vault(stack: cdk.Stack, topic: sns.ITopic, *events_: str) -> backup.CfnBackupVault:
    return backup.CfnBackupVault(stack, "Vault", backup_vault_name="app-daily",
                                 notifications=backup.CfnBackupVault.NotificationObjectTypeProperty(
                                     backup_vault_events=list(events_), sns_topic_arn=topic.topic_arn))


def _topic_for_backup(stack: cdk.Stack) -> sns.Topic:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(sid="Backup", principals=[BACKUP], resources=["*"],
                                                   actions=["kms:GenerateDataKey*", "kms:Decrypt"]))
    topic = _topic(stack, key)
    topic.add_to_resource_policy(iam.PolicyStatement(sid="BackupPublishes", principals=[BACKUP],
                                                     actions=["sns:Publish"], resources=[topic.topic_arn]))
    return topic


def test_noncompliance_1_hub_without_a_findings_rule():
    stack = new_stack()
    securityhub.CfnHub(stack, "Hub")
    evaluation = _of(stack, HUB_TYPE)
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no EventBridge rule in aws://123456789012/ap-northeast-1 matches "
                                          "aws.securityhub Security Hub Findings - Imported events")


def test_noncompliance_2_hub_rule_that_leaves_out_high_and_filters_by_product():
    stack = new_stack()
    securityhub.CfnHub(stack, "Hub")
    _hub_rule(stack, _topic(stack), {"Severity": {"Label": ["CRITICAL"]}, "ProductName": ["Inspector"]})
    evaluation = _of(stack, HUB_TYPE)
    assert evaluation.status is Status.VIOLATED
    assert 'severity labels ["CRITICAL"] leave out HIGH' in evaluation.evidence
    assert 'filters findings by detail.findings.ProductName = ["Inspector"]' in evaluation.evidence


def test_noncompliance_3_hub_rule_to_a_topic_nobody_subscribes_to():
    stack = new_stack()
    securityhub.CfnHub(stack, "Hub")
    _hub_rule(stack, sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key", enable_key_rotation=True)), None)
    evaluation = _of(stack, HUB_TYPE)
    assert evaluation.status is Status.VIOLATED
    assert "Test/Topic/Resource has no subscription in this app" in evaluation.evidence


def test_noncompliance_4_vault_without_any_route():
    stack = new_stack()
    backup.BackupVault(stack, "Vault")
    evaluation = _of(stack, VAULT_TYPE)
    assert evaluation.status is Status.VIOLATED
    assert "and Notifications is absent: failed backups reach no one" in evaluation.evidence


def test_noncompliance_5_backup_rule_for_failed_jobs_only_of_another_vault():
    stack = new_stack()
    backup.BackupVault(stack, "Vault", backup_vault_name="app-daily")
    _backup_rule(stack, _topic(stack), {"state": ["FAILED"], "backupVaultName": ["other"]})
    evaluation = _of(stack, VAULT_TYPE)
    assert evaluation.status is Status.VIOLATED
    assert 'state filter ["FAILED"] leaves out ABORTED, EXPIRED' in evaluation.evidence
    assert 'detail.backupVaultName = ["other"] leaves out app-daily' in evaluation.evidence


def test_noncompliance_6_vault_notifications_of_a_deprecated_event():
    stack = new_stack()
    _notifying_vault(stack, _topic_for_backup(stack), "BACKUP_JOB_FAILED")
    evaluation = _of(stack, VAULT_TYPE)
    assert evaluation.status is Status.VIOLATED
    assert "leaves out BACKUP_JOB_COMPLETED" in evaluation.evidence
    assert "BACKUP_JOB_FAILED: deprecated events AWS Backup no longer sends" in evaluation.evidence


def test_noncompliance_7_vault_notifications_to_a_topic_backup_may_not_publish_to():
    stack = new_stack()
    _notifying_vault(stack, _topic(stack), "BACKUP_JOB_COMPLETED")
    evaluation = _of(stack, VAULT_TYPE)
    assert evaluation.status is Status.VIOLATED
    assert "not backup.amazonaws.com" in evaluation.evidence


def test_noncompliance_8_vault_name_known_only_at_deploy_time_is_unresolved():
    stack = new_stack()
    backup.CfnBackupVault(stack, "Vault", backup_vault_name=cdk.CfnParameter(stack, "VaultName").value_as_string)
    _backup_rule(stack, _topic(stack), {"backupVaultName": ["app-daily"]})
    evaluation = _of(stack, VAULT_TYPE)
    assert evaluation.status is Status.UNRESOLVED
    assert "whose name is known only at deploy time" in evaluation.evidence


def test_compliance_1_incident_routing_of_the_app():
    stack = new_stack()
    securityhub.CfnHub(stack, "Hub")
    backup.BackupVault(stack, "Vault")
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="test")
    IncidentRouting(stack, "Incidents", topic=NotificationTopic(stack, "Topic", key=key, emails=["s@example.com"]))
    hub, vault = _of(stack, HUB_TYPE), _of(stack, VAULT_TYPE)
    assert (hub.status, vault.status) == (Status.COMPLIANT, Status.COMPLIANT), (hub.evidence, vault.evidence)
    assert hub.evidence.startswith(
        "Test/Incidents/SecurityHubFindings/Resource sends aws.securityhub Security Hub Findings - Imported events "
        '(findings {"RecordState":["ACTIVE"],"Severity":{"Label":["CRITICAL","HIGH"]},"Workflow":{"Status":["NEW"]}}) '
        "to Test/Topic/Resource through role Test/Incidents/Role/Resource")
    assert vault.evidence.startswith(
        "Test/Incidents/BackupFailures/Resource sends aws.backup Backup Job State Change, Copy Job State Change events "
        '(state ["FAILED","ABORTED","EXPIRED"]) to Test/Topic/Resource through role')
    assert vault.evidence.endswith("subscriptions: 1 email")


def test_compliance_2_unfiltered_rules_published_by_eventbridge_itself():
    stack = new_stack()
    securityhub.CfnHub(stack, "Hub")
    backup.BackupVault(stack, "Vault")
    topic = _topic(stack)
    _hub_rule(stack, topic, None)
    _backup_rule(stack, topic, None)
    hub, vault = _of(stack, HUB_TYPE), _of(stack, VAULT_TYPE)
    assert (hub.status, vault.status) == (Status.COMPLIANT, Status.COMPLIANT), (hub.evidence, vault.evidence)
    assert "(unfiltered) to Test/Topic/Resource: events.amazonaws.com may publish" in hub.evidence


def test_compliance_3_vault_notifications_of_completed_jobs():
    stack = new_stack()
    _notifying_vault(stack, _topic_for_backup(stack), "BACKUP_JOB_COMPLETED", "BACKUP_JOB_FAILED")
    evaluation = _of(stack, VAULT_TYPE)
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert evaluation.evidence == (
        "Notifications sends BACKUP_JOB_COMPLETED to Test/Topic/Resource: backup.amazonaws.com may publish (topic "
        "policy Test/Topic/Policy/Resource statement BackupPublishes) and use key Test/Key/Resource (statement "
        "Backup); subscriptions: 1 email")


def test_compliance_4_backup_rule_naming_the_vault():
    stack = new_stack()
    backup.BackupVault(stack, "Vault", backup_vault_name="app-daily")
    _backup_rule(stack, _topic(stack), {"state": ["FAILED", "ABORTED", "EXPIRED"], "backupVaultName": ["app-daily"]})
    assert _of(stack, VAULT_TYPE).status is Status.COMPLIANT
