from typing import Any, Callable

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import (
    AES_256_AT_REST,
    API_GATEWAY_TLS_POLICY_SUITES,
    CHINA_ONLY_KMS_KEY_SPECS,
    CHINA_REGIONS,
    CLOUDFRONT_ORIGIN_CIPHERS,
    CLOUDFRONT_ORIGIN_TLS,
    CLOUDFRONT_TLS_POLICY_SUITES,
    ELB_TLS_POLICY_SUITES,
    KMS_KEY_SPECS,
    KMS_KEY_USAGE_ALGORITHMS,
    TlsSuite,
)

S3_ALGORITHMS = {
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html: "Amazon S3
    # server-side encryption uses 256-bit Advanced Encryption Standard Galois/Counter Mode (AES-GCM)".
    "AES256": "SSE-S3, AES-256-GCM with keys Amazon S3 manages",
    "aws:kms": "SSE-KMS, AES-256-GCM",
    "aws:kms:dsse": "DSSE-KMS, two independent layers of AES-256-GCM",
}
POSTGRES_TLS = ("TLSv1.2", "TLSv1.3")
OLD_TLS = ("SSLv3", "TLSv1", "TLSv1.1")
APIGW_DEFAULT = "the service default applies (TLS_1_0 for older domains), which proves no TLS 1.2 floor"


def approved_algorithms(resource: Resource) -> Check:
    return CHECKS[resource.type](resource)


def _kms_key(resource: Resource) -> Check:
    spec = resource.prop("KeySpec", default="SYMMETRIC_DEFAULT")
    usage = resource.prop("KeyUsage", default="ENCRYPT_DECRYPT")
    origin = resource.prop("Origin", default="AWS_KMS")
    if any(is_intrinsic(v) for v in (spec, usage, origin)):
        return unresolved(f"KeySpec = {show(spec)}, KeyUsage = {show(usage)}, Origin = {show(origin)}")
    named = f"KeySpec = {spec}, KeyUsage = {usage}"
    if spec in CHINA_ONLY_KMS_KEY_SPECS:
        region = resource.stack.region
        if region is None:
            return unresolved(f"{named}: {CHINA_ONLY_KMS_KEY_SPECS[spec]}, standard only in the China Regions; "
                              "the stack's region is known only at deploy time")
        if region not in CHINA_REGIONS:
            return non_compliant(f"{named}: {CHINA_ONLY_KMS_KEY_SPECS[spec]}, not a standard algorithm in {region}")
        return compliant(f"{named}: {CHINA_ONLY_KMS_KEY_SPECS[spec]}, the national standard in {region}")
    if spec not in KMS_KEY_SPECS:
        return non_compliant(f"KeySpec = {show(spec)}: not among the standard algorithms the whitepaper relies on")
    family = next(f for f in ("SYMMETRIC_DEFAULT", "RSA", "ECC_NIST", "HMAC") if spec.startswith(f))
    algorithm = KMS_KEY_USAGE_ALGORITHMS.get((family, usage))
    if algorithm is None:
        return non_compliant(f"{named}: not a use AWS KMS offers for this key spec")
    if origin not in ("AWS_KMS", "EXTERNAL"):
        return unresolved(f"{named}, Origin = {origin}: the key material lives outside AWS KMS, in a module "
                          "this template does not describe")
    where = "imported key material in AWS KMS hardware security modules" if origin == "EXTERNAL" \
        else "in AWS KMS hardware security modules"
    name = KMS_KEY_SPECS[spec]
    return compliant(f"{named}: {algorithm.format(name=name, curve=name.split()[-1])}, {where}")


def _tls(field: str, policy: Any, suites: dict[str, TlsSuite], default_note: str) -> Check:
    if is_intrinsic(policy):
        return unresolved(f"{field} = {show(policy)}")
    if policy is None:
        return non_compliant(f"{field} absent: {default_note}")
    suite = suites.get(policy)
    if suite is None:
        return non_compliant(f"{field} = {show(policy)}: not in the table of verified TLS 1.2+ policies")
    return compliant(f"{field} = {policy}: {suite.protocols}; {suite.ciphers}; key exchange {suite.key_exchange}")


def _listener(resource: Resource) -> Check:
    protocol = resource.prop("Protocol")
    if is_intrinsic(protocol):
        return unresolved(f"Protocol = {show(protocol)}")
    if protocol not in ("HTTPS", "TLS"):
        return not_applicable("no TLS on this listener")
    found = _tls("SslPolicy", resource.prop("SslPolicy"), ELB_TLS_POLICY_SUITES,
                 "the listener gets ELBSecurityPolicy-2016-08, which offers TLS 1.0 and 1.1")
    return Check(found.outcome, f"{protocol} on port {show(resource.prop('Port'))}, {found.evidence}")


def _distribution(resource: Resource) -> Check:
    config = resource.prop("DistributionConfig")
    if not isinstance(config, dict):
        return unresolved(f"DistributionConfig = {show(config)}")
    certificate = config.get("ViewerCertificate") or {}
    if not isinstance(certificate, dict) or is_intrinsic(certificate):
        return unresolved(f"ViewerCertificate = {show(certificate)}")
    if certificate.get("CloudFrontDefaultCertificate") in (True, "true") or not certificate:
        return non_compliant("the default *.cloudfront.net certificate: viewers may use TLSv1")
    viewers = _tls("ViewerCertificate.MinimumProtocolVersion", certificate.get("MinimumProtocolVersion"),
                   CLOUDFRONT_TLS_POLICY_SUITES, "CloudFront applies TLSv1")
    if viewers.outcome is not Outcome.COMPLIANT:
        return viewers
    origins = config.get("Origins") or []
    if not isinstance(origins, list) or is_intrinsic(origins):
        return unresolved(f"Origins = {show(origins)}")
    parts = [f"viewers: {viewers.evidence}"]
    for origin in origins:
        found = _origin(origin)
        if found.outcome is not Outcome.COMPLIANT:
            return found
        parts.append(found.evidence)
    return compliant("; ".join(parts))


def _origin(origin: Any) -> Check:
    if not isinstance(origin, dict) or is_intrinsic(origin):
        return unresolved(f"origin {show(origin)}")
    name = f"origin {show(origin.get('Id'))} ({show(origin.get('DomainName'))})"
    custom = origin.get("CustomOriginConfig") or origin.get("VpcOriginConfig")
    if custom is None:
        return compliant(f"{name}: an AWS origin (S3 or the like) whose TLS CloudFront and the service set, "
                         "not the template")
    if not isinstance(custom, dict) or is_intrinsic(custom):
        return unresolved(f"{name}: {show(custom)}")
    policy = custom.get("OriginProtocolPolicy", "match-viewer" if "VpcOriginConfig" in origin else None)
    protocols = custom.get("OriginSSLProtocols") or ["TLSv1", "TLSv1.1", "TLSv1.2"]
    if is_intrinsic(policy) or not isinstance(protocols, list) or any(is_intrinsic(p) for p in protocols):
        return unresolved(f"{name}: OriginProtocolPolicy = {show(policy)}, OriginSSLProtocols = {show(protocols)}")
    if policy == "http-only":
        return compliant(f"{name}: OriginProtocolPolicy = http-only, no encryption to the origin "
                         "(CloudFrontTls, 10.1.1, judges that)")
    old = [p for p in protocols if p not in CLOUDFRONT_ORIGIN_TLS]
    if old:
        return non_compliant(f"{name}: OriginSSLProtocols = {show(protocols)}: {', '.join(old)} below TLS 1.2")
    return compliant(f"{name}: OriginProtocolPolicy = {show(policy)}, OriginSSLProtocols = {show(protocols)}; CloudFront "
                     f"offers {CLOUDFRONT_ORIGIN_CIPHERS}, the origin's TLS policy picks one")


def _api_domain(resource: Resource) -> Check:
    if resource.type == "AWS::ApiGateway::DomainName":
        return _tls("SecurityPolicy", resource.prop("SecurityPolicy"), API_GATEWAY_TLS_POLICY_SUITES,
                    APIGW_DEFAULT)
    configurations = resource.prop("DomainNameConfigurations", default=[])
    if is_intrinsic(configurations) or not isinstance(configurations, list) or not configurations:
        return unresolved(f"DomainNameConfigurations = {show(configurations)}")
    found = [_tls("SecurityPolicy", c.get("SecurityPolicy") if isinstance(c, dict) else c,
                  API_GATEWAY_TLS_POLICY_SUITES, APIGW_DEFAULT) for c in configurations]
    return _worst(found)


def _key_name(owner: Resource, value: Any, default: str) -> str | None:
    """The KMS key ``value`` names, by construct path where the app defines it; None if known only at deploy time."""
    if value is None:
        return default
    target = owner.target(value)
    if target is not None and target.type == "AWS::KMS::Alias":
        key = target.target(target.prop("TargetKeyId"))
        return f"{key.path} via {target.path}" if key is not None else target.path
    if target is not None:
        return target.path
    return value if isinstance(value, str) else None


def _bucket(resource: Resource) -> Check:
    configuration = resource.prop("BucketEncryption", "ServerSideEncryptionConfiguration")
    if configuration is None:
        return compliant("BucketEncryption absent: Amazon S3 encrypts new objects with SSE-S3, AES-256-GCM with "
                         "keys Amazon S3 manages")
    if is_intrinsic(configuration) or not isinstance(configuration, list):
        return unresolved(f"ServerSideEncryptionConfiguration = {show(configuration)}")
    found = []
    for rule in configuration or [{}]:
        default = (rule.get("ServerSideEncryptionByDefault") or {}) if isinstance(rule, dict) else rule
        if not isinstance(default, dict) or is_intrinsic(default):
            return unresolved(f"ServerSideEncryptionByDefault = {show(default)}")
        algorithm = default.get("SSEAlgorithm", "AES256")
        if is_intrinsic(algorithm):
            return unresolved(f"SSEAlgorithm = {show(algorithm)}")
        if algorithm not in S3_ALGORITHMS:
            return non_compliant(f"SSEAlgorithm = {show(algorithm)}: not an Amazon S3 server-side encryption")
        evidence = f"SSEAlgorithm = {algorithm}: {S3_ALGORITHMS[algorithm]}"
        if algorithm != "AES256":
            key = _key_name(resource, default.get("KMSMasterKeyID"), "the AWS managed key aws/s3")
            if key is None:
                return unresolved(f"{evidence}; KMSMasterKeyID = {show(default.get('KMSMasterKeyID'))}")
            evidence += f", data keys from KMS key {key}"
            if algorithm == "aws:kms":
                evidence += f" (S3 Bucket Key {'on' if rule.get('BucketKeyEnabled') in (True, 'true') else 'off'})"
        found.append(compliant(evidence))
    return _worst(found)


def _ebs(resource: Resource) -> Check:
    unencrypted = not_applicable("no encrypted EBS volume: EbsEncrypted (10.1.1) judges that")
    if resource.type == "AWS::EC2::Volume":
        return _volume(resource, resource.properties, resource.path) or unencrypted
    keys = ("LaunchTemplateData", "BlockDeviceMappings") if resource.type == "AWS::EC2::LaunchTemplate" \
        else ("BlockDeviceMappings",)
    mappings = resource.prop(*keys, default=[])
    if is_intrinsic(mappings) or not isinstance(mappings, list):
        return unresolved(f"BlockDeviceMappings = {show(mappings)}")
    found, plain = [], []
    for mapping in mappings:
        if not isinstance(mapping, dict) or is_intrinsic(mapping):
            return unresolved(f"block device mapping {show(mapping)}")
        if "Ebs" not in mapping:
            continue
        device = show(mapping.get("DeviceName"))
        check = _volume(resource, mapping["Ebs"], device)
        if check is None:
            plain.append(device)
        else:
            found.append(check)
    if not found:
        return unencrypted
    worst = _worst(found)
    if plain and worst.outcome is Outcome.COMPLIANT:
        return compliant(f"{worst.evidence}; {', '.join(plain)} not encrypted by the template")
    return worst


def _volume(owner: Resource, ebs: Any, device: str) -> Check | None:
    """The algorithm of one EBS volume; None when the template does not encrypt it."""
    if not isinstance(ebs, dict) or is_intrinsic(ebs) or is_intrinsic(ebs.get("Encrypted")):
        return unresolved(f"{device}: Ebs = {show(ebs)}")
    if ebs.get("Encrypted") not in (True, "true"):
        return None
    key = _key_name(owner, ebs.get("KmsKeyId"), "the account's default EBS key")
    if key is None:
        return unresolved(f"{device}: KmsKeyId = {show(ebs.get('KmsKeyId'))}")
    return compliant(f"{device}: {AES_256_AT_REST}, data key from KMS key {key}")


def _database(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: the cluster's storage and parameter group decide")
    encrypted = resource.prop("StorageEncrypted")
    if is_intrinsic(encrypted):
        return unresolved(f"StorageEncrypted = {show(encrypted)}")
    if encrypted in (True, "true"):
        key = _key_name(resource, resource.prop("KmsKeyId"), "the AWS managed key aws/rds")
        if key is None:
            return unresolved(f"KmsKeyId = {show(resource.prop('KmsKeyId'))}")
        storage = f"storage: {AES_256_AT_REST}, data key from KMS key {key}"
    else:
        storage = "storage: not encrypted (RdsStorageEncrypted, 10.1.1, judges that)"
    transit = _transit(resource)
    return Check(transit.outcome, f"{storage}; in transit: {transit.evidence}")


def _transit(resource: Resource) -> Check:
    key = "DBClusterParameterGroupName" if resource.type == "AWS::RDS::DBCluster" else "DBParameterGroupName"
    name = resource.prop(key)
    if name is None:
        return unresolved(f"no {key}: the engine's default parameter group decides the TLS versions")
    group = resource.target(name)
    if group is None:
        return unresolved(f"{key} = {show(name)}, a parameter group outside this app")
    parameters = group.prop("Parameters", default={})
    if not isinstance(parameters, dict):
        return unresolved(f"{group.path}: Parameters = {show(parameters)}")
    engine = str(resource.prop("Engine", default=""))
    if "postgres" in engine:
        setting, allowed = "ssl_min_protocol_version", parameters.get("ssl_min_protocol_version")
        versions = [allowed] if isinstance(allowed, str) else None
        forced = f", rds.force_ssl = {show(parameters.get('rds.force_ssl', '0 (absent)'))}"
    elif "mysql" in engine or "mariadb" in engine:
        setting, allowed = "tls_version", parameters.get("tls_version")
        versions = [v.strip() for v in allowed.split(",")] if isinstance(allowed, str) else None
        forced = f", require_secure_transport = {show(parameters.get('require_secure_transport', 'OFF (absent)'))}"
    else:
        return unresolved(f"engine {engine!r}: how it sets TLS versions is not known to this rule")
    named = f"{group.path}: {setting} = {show(allowed) if allowed is not None else '(absent)'}{forced}"
    if is_intrinsic(allowed) or is_intrinsic(parameters.get("rds.force_ssl")):
        return unresolved(named)
    if versions is None:
        return unresolved(f"{named}: the engine default decides the TLS versions")
    if any(v in OLD_TLS for v in versions) or ("postgres" in engine and allowed not in POSTGRES_TLS):
        return non_compliant(f"{named}: allows TLS older than 1.2")
    return compliant(f"TLS 1.2 or newer ({named})")


def _table(resource: Resource) -> Check:
    sse = resource.prop("SSESpecification") or {}
    if not isinstance(sse, dict) or is_intrinsic(sse) or any(is_intrinsic(v) for v in sse.values()):
        return unresolved(f"SSESpecification = {show(sse)}")
    if sse.get("SSEEnabled") not in (True, "true"):
        return compliant(f"SSESpecification.SSEEnabled = {show(sse.get('SSEEnabled', 'false (absent)'))}: "
                         f"{AES_256_AT_REST}, table key owned by DynamoDB")
    keys = [("", sse.get("KMSMasterKeyId"))]
    if resource.type == "AWS::DynamoDB::GlobalTable":
        replicas = resource.prop("Replicas", default=[])
        if not isinstance(replicas, list):
            return unresolved(f"Replicas = {show(replicas)}")
        keys = [(f" (replica {show(r.get('Region'))})", (r.get("SSESpecification") or {}).get("KMSMasterKeyId"))
                for r in replicas if isinstance(r, dict)]
    found = []
    for where, value in keys:
        key = _key_name(resource, value, "the AWS managed key aws/dynamodb")
        if key is None:
            return unresolved(f"KMSMasterKeyId{where} = {show(value)}")
        found.append(f"{AES_256_AT_REST}, table key from KMS key {key}{where}")
    return compliant("SSEType = KMS: " + "; ".join(found))


def _worst(checks: list[Check]) -> Check:
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        bad = [c.evidence for c in checks if c.outcome is outcome]
        if bad:
            return Check(outcome, "; ".join(bad))
    return compliant("; ".join(c.evidence for c in checks))


CHECKS: dict[str, Callable[[Resource], Check]] = {
    "AWS::KMS::Key": _kms_key,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::CloudFront::Distribution": _distribution,
    "AWS::ApiGateway::DomainName": _api_domain,
    "AWS::ApiGatewayV2::DomainName": _api_domain,
    "AWS::S3::Bucket": _bucket,
    "AWS::EC2::LaunchTemplate": _ebs,
    "AWS::EC2::Instance": _ebs,
    "AWS::EC2::Volume": _ebs,
    "AWS::RDS::DBCluster": _database,
    "AWS::RDS::DBInstance": _database,
    "AWS::DynamoDB::Table": _table,
    "AWS::DynamoDB::GlobalTable": _table,
}

RULE = Rule(
    name="ApprovedAlgorithms",
    clauses=("18.1.5",),
    resource_types=tuple(CHECKS),
    info="Encryption uses an algorithm or protocol suite outside the standard ones the whitepaper relies on.",
    explanation=(
        "The service uses standard, publicly specified cryptography only, and no export-controlled custom "
        "encryption. Each KMS key's spec and usage, each endpoint's TLS policy (its protocols, cipher suites and "
        "key exchange, from AWS's tables), each store's server-side encryption (AES-256 under a named KMS key) and "
        "each database's TLS floor is evidence of which algorithms are in use. A policy missing from the tables in "
        "nag_rules/standards.py, TLS below 1.2, or a key spec such as SM2 outside the China Regions is refused."
    ),
    check=approved_algorithms,
)
