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
