"""The whitepaper's technical parameters, shared by the rules that check them and the constructs
that apply them."""

TIME_SYNC_IPV4 = "169.254.169.123"
TIME_SYNC_IPV6 = "fd00:ec2::123"
"""Amazon Time Sync Service (12.4.4), reachable from every instance without an internet path."""

CHRONY_TIME_SYNC = f"server {TIME_SYNC_IPV4} prefer iburst minpoll 4 maxpoll 4"
"""The chrony source line AWS documents for the Amazon Time Sync Service."""

MINIMUM_LOG_RETENTION_DAYS = 365
"""Access logs are available for 12 months back (12.4.1)."""

MINIMUM_TLS = 1.2
"""Communication is encrypted with TLS 1.2 or newer (10.1.1)."""

REMOTE_ADMIN_PORTS = (22, 3389)
"""SSH and RDP: nothing accepts them; Session Manager is the only way onto a server (9.4.4)."""

PUBLIC_ENTRY_PORTS = (80, 443)
"""What an internet-facing load balancer may accept from anywhere: HTTPS, and HTTP to redirect."""

PRIVATE_SERVICE_ENDPOINTS = ("s3", "kms", "logs", "ssm", "ssmmessages", "ec2messages", "secretsmanager")
"""AWS services every VPC reaches through endpoints, so their traffic stays inside (13.1.3)."""

MAX_OPERATOR_SESSION_SECONDS = 3600
"""Operators hold privileged access for an hour at most (9.4.4)."""

ELB_TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
)
"""Load balancer security policies that offer nothing below TLS 1.2 (10.1.1). Explicit on purpose:
a policy missing here is refused until someone checks it, never passed by a naming pattern."""

CLOUDFRONT_TLS_POLICIES = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
"""CloudFront viewer policies: TLS 1.2 or newer with modern ciphers only."""

API_GATEWAY_TLS_POLICIES = (
    "TLS_1_2",
    "SecurityPolicy_TLS13_1_3_2025_09",
    "SecurityPolicy_TLS13_1_2_2021_06",
    "SecurityPolicy_TLS13_1_2_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
    "SecurityPolicy_TLS12_PFS_2025_EDGE",
    "SecurityPolicy_TLS12_2018_EDGE",
)
"""API Gateway security policies of TLS 1.2 or newer."""

KMS_KEY_SPECS = {
    "SYMMETRIC_DEFAULT": "AES-256-GCM",
    "RSA_2048": "RSA 2048", "RSA_3072": "RSA 3072", "RSA_4096": "RSA 4096",
    "ECC_NIST_P256": "ECDSA P-256", "ECC_NIST_P384": "ECDSA P-384", "ECC_NIST_P521": "ECDSA P-521",
    "HMAC_256": "HMAC-SHA-256", "HMAC_384": "HMAC-SHA-384", "HMAC_512": "HMAC-SHA-512",
}
"""Standard, publicly specified algorithms AWS KMS offers (18.1.5: nothing export-controlled beyond them)."""

DATA_CLASSES = ("customer", "service-derived", "operations")
"""Values of the DataClassification tag (8.1.1): customer data and service-derived data kept apart."""

DATA_CLASSIFICATION_TAG = "DataClassification"

DEFAULT_SESSION_DOCUMENT = "SSM-SessionManagerRunShell"
"""The Session Manager preferences document of an account and region: used by every session that
names no other document."""
