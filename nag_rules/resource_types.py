"""CloudFormation resource types grouped by what they mean for the whitepaper."""

DATA_STORE_TYPES: tuple[str, ...] = (
    "AWS::Backup::BackupVault",
    "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster",
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::FSx::FileSystem",
    "AWS::Kinesis::Stream",
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::Neptune::DBCluster",
    "AWS::OpenSearchService::Domain",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
)
"""Resources that hold data (customer, service-derived or operational) or its keys."""

DATA_PATH_TYPES: tuple[str, ...] = (
    "AWS::CloudFront::Distribution",
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::LoggingConfiguration",
    "AWS::Logs::DeliverySource",
    "AWS::Logs::DeliveryDestination",
    "AWS::Logs::Delivery",
)
"""Resources that see customer requests on their way in, or route records of them (log delivery):
where they run is part of where data goes."""
