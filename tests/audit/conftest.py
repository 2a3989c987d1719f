import boto3
import pytest
from moto import mock_aws

from compliance.audit.framework import Account
from config import load_environment

REGION = "ap-northeast-1"


@pytest.fixture
def aws(monkeypatch):
    """moto's in-process AWS with fake credentials; yields an Account of the default environment's region."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield Account(session=boto3.session.Session(region_name=REGION), region=REGION,
                      settings=load_environment(), account_id="123456789012")
