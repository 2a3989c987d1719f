import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_s3 as s3

from constructs_lib.data_classification import DataClass, classify
from nag_rules import Status
from nag_rules.rules.offboarded_tenant_data_expires import MAX_DAYS, OFFBOARDED, RULE, TENANT_STATUS_TAG
from tests.helpers import evaluations_of, new_stack, only

OFFBOARDED_TAGS = {TENANT_STATUS_TAG: OFFBOARDED}


def _offboarding(expiration=30, noncurrent=1, **props):
    return s3.LifecycleRule(
        id="OffboardedTenants", tag_filters=OFFBOARDED_TAGS, expiration=cdk.Duration.days(expiration),
        noncurrent_version_expiration=cdk.Duration.days(noncurrent) if noncurrent is not None else None, **props)


def _bucket(stack, *rules, versioned=True, data_class=DataClass.CUSTOMER):
    bucket = s3.Bucket(stack, "Records", versioned=versioned, lifecycle_rules=list(rules) or None)
    classify(bucket, data_class)
    return bucket


def _backed_up(stack, bucket, days):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule(rule_name="Daily", delete_after=cdk.Duration.days(days)))
    plan.add_selection("Customer", resources=[backup.BackupResource.from_construct(bucket)])


def test_noncompliance_1_no_offboarding_rule():
    stack = new_stack()
    _bucket(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("no enabled lifecycle rule expires objects tagged TenantStatus = offboarded "
                                   "(ExpirationInDays)")


def test_noncompliance_2_expiry_after_three_months():
    stack = new_stack()
    _bucket(stack, _offboarding(expiration=90, noncurrent=None), versioned=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("lifecycle rule OffboardedTenants selects objects tagged TenantStatus = offboarded: "
                                   "ExpirationInDays = 90: removed up to 90 days after tagging (> 59)")


def test_noncompliance_3_noncurrent_versions_push_past_the_deadline():
    stack = new_stack()
    _bucket(stack, _offboarding(expiration=30, noncurrent=31))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.endswith("ExpirationInDays = 30, then (versioned) "
                                        "NoncurrentVersionExpiration.NoncurrentDays = 31: removed up to 61 days after "
                                        "tagging (> 59)")


def test_noncompliance_4_rule_disabled():
    stack = new_stack()
    _bucket(stack, _offboarding(enabled=False))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lifecycle rule OffboardedTenants selects objects tagged TenantStatus = offboarded but is Disabled" \
        in evaluation.evidence


def test_noncompliance_5_versioned_bucket_keeps_noncurrent_versions():
    stack = new_stack()
    _bucket(stack, _offboarding(noncurrent=None))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "each expired object stays as a noncurrent version" in evaluation.evidence


def test_noncompliance_6_prefix_narrows_the_rule():
    stack = new_stack()
    _bucket(stack, _offboarding(prefix="uploads/"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lifecycle rule OffboardedTenants expires only objects with Prefix = uploads/" in evaluation.evidence


def test_noncompliance_7_newer_noncurrent_versions_are_kept():
    stack = new_stack()
    _bucket(stack, _offboarding(noncurrent_versions_to_retain=3))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lifecycle rule OffboardedTenants keeps the newest 3 noncurrent versions" in evaluation.evidence


def test_noncompliance_8_backups_outlive_the_deadline():
    stack = new_stack()
    bucket = _bucket(stack, _offboarding())
    _backed_up(stack, bucket, days=35)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.endswith('but Test/Plan/Resource rule "Daily" keeps recovery points in '
                                        "Test/Vault/Resource 35 days, so its copies outlive that (66 days > 59)")


def test_compliance_1_thirty_days_and_one_noncurrent_day():
    stack = new_stack()
    _bucket(stack, _offboarding())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("lifecycle rule OffboardedTenants selects objects tagged TenantStatus = offboarded: "
                                   "ExpirationInDays = 30, then (versioned) NoncurrentVersionExpiration.NoncurrentDays "
                                   "= 1: removed within 31 days of tagging (<= 59)")


def test_compliance_2_unversioned_bucket_at_the_limit():
    stack = new_stack()
    _bucket(stack, _offboarding(expiration=MAX_DAYS, noncurrent=None), versioned=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "removed within 59 days" in evaluation.evidence


def test_compliance_3_backups_expire_in_time():
    stack = new_stack()
    bucket = _bucket(stack, _offboarding())
    _backed_up(stack, bucket, days=7)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith('; Test/Plan/Resource rule "Daily" keeps recovery points in '
                                        "Test/Vault/Resource 7 days, so the last copy is gone within 38 days")


def test_compliance_4_expiry_and_noncurrent_days_from_separate_rules():
    stack = new_stack()
    _bucket(stack, _offboarding(noncurrent=None),
            s3.LifecycleRule(id="Versions", noncurrent_version_expiration=cdk.Duration.days(2)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "NoncurrentVersionExpiration.NoncurrentDays = 2 (lifecycle rule Versions): removed within 32 days" \
        in evaluation.evidence


def test_compliance_5_other_buckets_are_not_checked():
    stack = new_stack()
    _bucket(stack, data_class=DataClass.OPERATIONS)
    assert evaluations_of(stack, RULE) == []


def test_compliance_6_rules_that_expire_nothing_are_not_counted():
    stack = new_stack()
    leftovers = s3.LifecycleRule(id="Leftovers", expired_object_delete_marker=True,
                                 abort_incomplete_multipart_upload_after=cdk.Duration.days(1))
    _bucket(stack, _offboarding(), leftovers)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "Leftovers" not in evaluation.evidence and "removed within 31 days" in evaluation.evidence


def test_compliance_7_the_customer_bucket_construct_meets_it():
    from constructs_lib import AccessLogsBucket, ClassifiedBucket, DataClassKey

    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="test")
    ClassifiedBucket(stack, "Records", encryption_key=key, access_logs=AccessLogsBucket(stack, "Access"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "lifecycle rule ExpireOffboardedTenants" in evaluation.evidence


def test_unresolved_1_expiration_from_a_parameter():
    stack = new_stack()
    bucket = _bucket(stack)
    days = cdk.CfnParameter(stack, "Days", type="Number")
    bucket.node.default_child.add_property_override("LifecycleConfiguration", {"Rules": [{
        "Status": "Enabled", "TagFilters": [{"Key": TENANT_STATUS_TAG, "Value": OFFBOARDED}],
        "ExpirationInDays": days.value_as_number, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert 'ExpirationInDays = {"Ref":"Days"}' in evaluation.evidence


def test_unresolved_2_tag_filter_from_a_parameter():
    stack = new_stack()
    status = cdk.CfnParameter(stack, "Status")
    _bucket(stack, s3.LifecycleRule(tag_filters={TENANT_STATUS_TAG: status.value_as_string},
                                    expiration=cdk.Duration.days(30), noncurrent_version_expiration=cdk.Duration.days(1)))
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED
