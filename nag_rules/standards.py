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
    "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
    "SecurityPolicy_TLS13_2025_EDGE",
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


from typing import NamedTuple  # noqa: E402  (appended: the constants above are shared)


class TlsSuite(NamedTuple):
    """What a TLS security policy offers: protocol versions, cipher suites, key exchange. Only what the
    cited AWS documentation shows is stated; the rest says "not verified" instead of guessing."""

    protocols: str
    ciphers: str
    key_exchange: str


_TLS13_SUITES = "TLS 1.3: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305"
_NOT_VERIFIED = "cipher suites not verified here"
_ML_KEM = ("hybrid post-quantum ML-KEM (SecP256r1MLKEM768, SecP384r1MLKEM1024, X25519MLKEM768) "
           "for clients that offer it, else classical ECDHE")
_ELB_TLS13_12 = "TLS 1.2, TLS 1.3"
_ELB_TLS13_RES = f"{_TLS13_SUITES}; TLS 1.2: ECDHE-ECDSA/RSA with AES-128/256-GCM"
_ELB_TLS13 = f"{_ELB_TLS13_RES}, AES-128-CBC-SHA256, AES-256-CBC-SHA384"
_ELB_EXT1 = f"{_ELB_TLS13}; RSA key exchange with AES-128/256-GCM, AES-128/256-CBC-SHA256"
_ELB_EXT2 = (f"{_TLS13_SUITES}; TLS 1.2: ECDHE-ECDSA/RSA with AES-128/256-GCM, AES-128-CBC-SHA256, "
             "AES-256-CBC-SHA384, AES-128/256-CBC-SHA; RSA key exchange with AES-128/256-GCM, "
             "AES-128/256-CBC-SHA256, AES-128/256-CBC-SHA")

ELB_TLS_POLICY_SUITES = {
    # Cipher lists of the -2017-01, -2018-06 and -FS-...-2019-08 policies: the AWS tables in
    # https://github.com/awsdocs/elb-application-load-balancers-user-guide/blob/main/doc_source/create-https-listener.md
    # Cipher lists of the TLS13 ...-2021-06 policies and FS-1-2-Res-2020-10: DescribeSSLPolicies output as
    # recorded in getmoto/moto moto/elbv2/responses.py (the current AWS table at
    # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html could not be
    # read in full here). PQ key exchange: the considerations on that page. FIPS and PQ cipher lists: not verified.
    "ELBSecurityPolicy-TLS13-1-2-2021-06": TlsSuite(_ELB_TLS13_12, _ELB_TLS13, "ECDHE"),
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": TlsSuite(_ELB_TLS13_12, _ELB_TLS13_RES, "ECDHE"),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": TlsSuite(_ELB_TLS13_12, _ELB_EXT1, "ECDHE or RSA"),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": TlsSuite(_ELB_TLS13_12, _ELB_EXT2, "ECDHE or RSA"),
    "ELBSecurityPolicy-TLS13-1-3-2021-06": TlsSuite("TLS 1.3", _TLS13_SUITES, "ECDHE"),
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09": TlsSuite(_ELB_TLS13_12, _NOT_VERIFIED, _ML_KEM),
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09": TlsSuite(_ELB_TLS13_12, _NOT_VERIFIED, _ML_KEM),
    "ELBSecurityPolicy-TLS13-1-2-Ext0-PQ-2025-09": TlsSuite(_ELB_TLS13_12, _NOT_VERIFIED, _ML_KEM),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09": TlsSuite(_ELB_TLS13_12, _NOT_VERIFIED, _ML_KEM),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09": TlsSuite(_ELB_TLS13_12, _NOT_VERIFIED, _ML_KEM),
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09": TlsSuite("TLS 1.3", _NOT_VERIFIED, _ML_KEM),
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04": TlsSuite("TLS 1.3", _NOT_VERIFIED, "not verified here"),
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04": TlsSuite(_ELB_TLS13_12, _NOT_VERIFIED, "not verified here"),
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04": TlsSuite(_ELB_TLS13_12, _NOT_VERIFIED, "not verified here"),
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": TlsSuite("TLS 1.2", "ECDHE-ECDSA/RSA with AES-128/256-GCM", "ECDHE"),
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": TlsSuite(
        "TLS 1.2", "ECDHE-ECDSA/RSA with AES-128/256-GCM, AES-128-CBC-SHA256, AES-256-CBC-SHA384", "ECDHE"),
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": TlsSuite(
        "TLS 1.2", "ECDHE-ECDSA/RSA with AES-128/256-GCM, AES-128-CBC-SHA256, AES-256-CBC-SHA384, "
        "AES-128/256-CBC-SHA; RSA key exchange with AES-128/256-GCM, AES-128/256-CBC-SHA256, AES-128/256-CBC-SHA",
        "ECDHE or RSA"),
    "ELBSecurityPolicy-TLS-1-2-2017-01": TlsSuite(
        "TLS 1.2", "ECDHE-ECDSA/RSA with AES-128/256-GCM, AES-128-CBC-SHA256, AES-256-CBC-SHA384; "
        "RSA key exchange with AES-128/256-GCM, AES-128/256-CBC-SHA256", "ECDHE or RSA"),
}
"""What each policy of ELB_TLS_POLICIES offers to clients (18.1.5)."""

_CLOUDFRONT_CURVES = "ECDHE (prime256v1, secp384r1, X25519)"

CLOUDFRONT_TLS_POLICY_SUITES = {
    # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
    # (and its earlier text in awsdocs/amazon-cloudfront-developer-guide for the RSA rows of TLSv1.2_2021).
    "TLSv1.2_2021": TlsSuite("TLS 1.2, TLS 1.3", f"{_TLS13_SUITES}; TLS 1.2: ECDHE-ECDSA/RSA with AES-128/256-GCM, "
                             "ChaCha20-Poly1305", _CLOUDFRONT_CURVES),
    "TLSv1.2_2025": TlsSuite("TLS 1.2, TLS 1.3", "TLS 1.3: AES-128-GCM, AES-256-GCM (ChaCha20-Poly1305 not verified); "
                             "TLS 1.2: ECDHE-ECDSA with AES-128/256-GCM (ECDHE-RSA suites not verified)",
                             _CLOUDFRONT_CURVES),
    "TLSv1.3_2025": TlsSuite("TLS 1.3", "TLS 1.3: AES-128-GCM, AES-256-GCM (ChaCha20-Poly1305 not verified)",
                             _CLOUDFRONT_CURVES),
}
"""What each viewer policy of CLOUDFRONT_TLS_POLICIES offers (18.1.5)."""

CLOUDFRONT_ORIGIN_CIPHERS = (
    "ECDHE-ECDSA/RSA with AES-128/256-GCM, AES-128-CBC-SHA256, AES-256-CBC-SHA384, AES-128/256-CBC-SHA; "
    "RSA key exchange with AES-128/256-CBC-SHA, 3DES-CBC-SHA, RC4-MD5; curves prime256v1, secp384r1, X25519"
)
"""What CloudFront offers an HTTPS origin; the origin's own TLS policy picks one (18.1.5).
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-ciphers-cloudfront-to-origin.html"""

CLOUDFRONT_ORIGIN_TLS = ("TLSv1.2",)
"""OriginSSLProtocols values of TLS 1.2 or newer (CloudFront offers no TLSv1.3 setting for origins)."""

_APIGW_TLS12 = (f"{_TLS13_SUITES}; TLS 1.2: ECDHE-ECDSA/RSA with AES-128/256-GCM, AES-128-CBC-SHA256, "
                "AES-256-CBC-SHA384; RSA key exchange with AES-128/256-GCM, AES-128/256-CBC-SHA256 "
                "(edge-optimized endpoints: a subset)")

API_GATEWAY_TLS_POLICY_SUITES = {
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html,
    # .../http-api-ciphers.html and .../apigateway-security-policies-list.html (enhanced policies' cipher
    # columns could not be read here: only SecurityPolicy_TLS13_1_3_2025_09's, quoted in the first page).
    "TLS_1_2": TlsSuite("TLS 1.2, TLS 1.3", _APIGW_TLS12, "ECDHE or RSA"),
    "SecurityPolicy_TLS13_1_3_2025_09": TlsSuite("TLS 1.3", _TLS13_SUITES, "ECDHE"),
    "SecurityPolicy_TLS13_1_2_2021_06": TlsSuite("TLS 1.2, TLS 1.3", _NOT_VERIFIED, "not verified here"),
    "SecurityPolicy_TLS13_1_2_PQ_2025_09": TlsSuite(
        "TLS 1.2, TLS 1.3", _NOT_VERIFIED, "hybrid post-quantum key exchange, else classical"),
    "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09": TlsSuite(
        "TLS 1.2, TLS 1.3", _NOT_VERIFIED, "forward secret only; hybrid post-quantum key exchange, else classical"),
    "SecurityPolicy_TLS12_PFS_2025_EDGE": TlsSuite("TLS 1.2 or newer", _NOT_VERIFIED, "forward secret only"),
    "SecurityPolicy_TLS12_2018_EDGE": TlsSuite("TLS 1.2 or newer", _NOT_VERIFIED, "not verified here"),
}
"""What each policy of API_GATEWAY_TLS_POLICIES offers (18.1.5); protocols of the enhanced policies as
their names state them."""

KMS_KEY_USAGE_ALGORITHMS = {
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"): "{name} encryption",
    ("RSA", "ENCRYPT_DECRYPT"): "{name} RSAES-OAEP encryption",
    ("RSA", "SIGN_VERIFY"): "{name} RSASSA-PSS or PKCS #1 v1.5 signatures",
    ("ECC_NIST", "SIGN_VERIFY"): "{name} signatures",
    ("ECC_NIST", "KEY_AGREEMENT"): "ECDH key agreement on {curve}",
    ("HMAC", "GENERATE_VERIFY_MAC"): "{name} message authentication",
}
"""What a KMS key of each KeySpec family (the spec up to its size) does under each KeyUsage; ``name`` is
its KMS_KEY_SPECS entry, ``curve`` that entry's last word."""

CHINA_ONLY_KMS_KEY_SPECS = {"SM2": "SM2 (Chinese national standard GB/T 32918)"}
"""Key specs AWS KMS offers only in the China Regions, where they are the national standard."""

CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")

AES_256_AT_REST = "AES-256"
"""What S3, EBS, RDS and DynamoDB encrypt stored data with, whichever key protects the data key."""
