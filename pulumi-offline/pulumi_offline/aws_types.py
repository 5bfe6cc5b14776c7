"""The AWS type tokens the offline tool knows something about, in one place.

`STATEFUL_TYPES` and `CREATE_ONLY` decide data-loss warnings and replacements in `changes`;
`MAIN_TYPES` what the diagram in `graph` draws; `ID_PREFIXES` the physical ids `mocks` makes.
"""

from __future__ import annotations

# Resources that hold data: deleting or replacing one loses it.
STATEFUL_TYPES = frozenset(
    {
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:docdb/cluster:Cluster",
        "aws:docdb/clusterInstance:ClusterInstance",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/cluster:Cluster",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:backup/vault:Vault",
        "aws:dynamodb/table:Table",
        "aws:efs/fileSystem:FileSystem",
        "aws:secretsmanager/secret:Secret",
    }
)

# Properties whose change makes AWS (and so pulumi-aws) create a new resource.
CREATE_ONLY: dict[str, frozenset[str]] = {
    "aws:rds/instance:Instance": frozenset(
        {"identifier", "identifierPrefix", "engine", "storageEncrypted", "kmsKeyId", "username", "availabilityZone"}
    ),
    "aws:rds/cluster:Cluster": frozenset(
        {
            "clusterIdentifier",
            "clusterIdentifierPrefix",
            "engine",
            "storageEncrypted",
            "kmsKeyId",
            "masterUsername",
            "databaseName",
        }
    ),
    "aws:rds/clusterInstance:ClusterInstance": frozenset({"identifier", "clusterIdentifier", "engine"}),
    "aws:docdb/cluster:Cluster": frozenset(
        {"clusterIdentifier", "clusterIdentifierPrefix", "engine", "storageEncrypted", "kmsKeyId", "masterUsername"}
    ),
    "aws:docdb/clusterInstance:ClusterInstance": frozenset({"identifier", "clusterIdentifier", "engine"}),
    "aws:elasticache/replicationGroup:ReplicationGroup": frozenset(
        {"replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName"}
    ),
    "aws:elasticache/cluster:Cluster": frozenset({"clusterId", "engine", "subnetGroupName"}),
    "aws:s3/bucket:Bucket": frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    "aws:kms/key:Key": frozenset({"customerMasterKeySpec", "keySpec", "keyUsage", "multiRegion", "customKeyStoreId"}),
    "aws:backup/vault:Vault": frozenset({"name", "kmsKeyArn"}),
    "aws:dynamodb/table:Table": frozenset({"name", "hashKey", "rangeKey"}),
    "aws:efs/fileSystem:FileSystem": frozenset({"creationToken", "encrypted", "kmsKeyId", "performanceMode"}),
    "aws:secretsmanager/secret:Secret": frozenset({"name", "namePrefix"}),
}

# What a reader looks for in an architecture diagram, besides the data stores.
MAIN_TYPES = STATEFUL_TYPES | {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:autoscaling/group:Group",
    "aws:cloudfront/distribution:Distribution",
    "aws:wafv2/webAcl:WebAcl",
    "aws:acm/certificate:Certificate",
    "aws:route53/record:Record",
    "aws:sns/topic:Topic",
    "aws:backup/plan:Plan",
    "aws:eks/cluster:Cluster",
    "aws:ecr/repository:Repository",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:lambda/function:Function",
}

# Physical-id prefixes for EC2-style resources (`vpc-0a1b...`).
ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/volume:Volume": "vol",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
}
