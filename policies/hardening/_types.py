"""Resource type tokens, with the older tokens pulumi-aws used for the same resource.

A program pinned to an older pulumi-aws (or using the `alb` module instead of `lb`) registers
the same AWS resource under another token; a policy that only knew one would silently pass it.
"""

from __future__ import annotations


def _lb(kind: str) -> tuple[str, ...]:
    return tuple(
        f"aws:{module}/{kind[0].lower()}{kind[1:]}:{kind}"
        for module in ("lb", "alb", "elasticloadbalancingv2", "applicationloadbalancing")
    )


def _renamed(module: str, name: str) -> tuple[str, ...]:
    """v7 token and the v6 `…V2` token it replaced (`aws:s3/bucketV2:BucketV2` → `aws:s3/bucket:Bucket`)."""
    lower = name[0].lower() + name[1:]
    return (f"aws:{module}/{lower}:{name}", f"aws:{module}/{lower}V2:{name}V2")


# Network
VPC = ("aws:ec2/vpc:Vpc",)
SUBNET = ("aws:ec2/subnet:Subnet",)
SECURITY_GROUP = ("aws:ec2/securityGroup:SecurityGroup",)
SECURITY_GROUP_RULE = ("aws:ec2/securityGroupRule:SecurityGroupRule",)
INGRESS_RULE = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",)
EGRESS_RULE = ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",)
DEFAULT_SECURITY_GROUP = ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",)
FLOW_LOG = ("aws:ec2/flowLog:FlowLog",)
ROUTE_TABLE = ("aws:ec2/routeTable:RouteTable",)
DEFAULT_ROUTE_TABLE = ("aws:ec2/defaultRouteTable:DefaultRouteTable",)
MAIN_ROUTE_TABLE_ASSOCIATION = ("aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",)
ROUTE = ("aws:ec2/route:Route",)
ROUTE_TABLE_ASSOCIATION = ("aws:ec2/routeTableAssociation:RouteTableAssociation",)
INTERNET_GATEWAY = (
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
)
NAT_GATEWAY = ("aws:ec2/natGateway:NatGateway",)
EIP = ("aws:ec2/eip:Eip",)
EIP_ASSOCIATION = ("aws:ec2/eipAssociation:EipAssociation",)

# Edge
LOAD_BALANCER = _lb("LoadBalancer")
LISTENER = _lb("Listener")
LISTENER_RULE = _lb("ListenerRule")
TARGET_GROUP = _lb("TargetGroup")
WEB_ACL = ("aws:wafv2/webAcl:WebAcl",)
WAF_RULE_GROUP = ("aws:wafv2/ruleGroup:RuleGroup",)
WEB_ACL_ASSOCIATION = ("aws:wafv2/webAclAssociation:WebAclAssociation",)
WEB_ACL_LOGGING = ("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",)
DISTRIBUTION = ("aws:cloudfront/distribution:Distribution",)
RESPONSE_HEADERS_POLICY = ("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",)
LOG_DELIVERY_SOURCE = ("aws:cloudwatch/logDeliverySource:LogDeliverySource",)
CERTIFICATE = ("aws:acm/certificate:Certificate",)

# Compute
LAUNCH_TEMPLATE = ("aws:ec2/launchTemplate:LaunchTemplate",)
AUTOSCALING_GROUP = ("aws:autoscaling/group:Group",)
AUTOSCALING_POLICY = ("aws:autoscaling/policy:Policy",)
AUTOSCALING_ATTACHMENT = (
    "aws:autoscaling/attachment:Attachment",
    "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
)
INSTANCE = ("aws:ec2/instance:Instance",)
VOLUME = ("aws:ebs/volume:Volume",)
EBS_DEFAULT_ENCRYPTION = ("aws:ebs/encryptionByDefault:EncryptionByDefault",)
TASK_DEFINITION = ("aws:ecs/taskDefinition:TaskDefinition",)
LAMBDA_FUNCTION = ("aws:lambda/function:Function",)

# Object storage
BUCKET = _renamed("s3", "Bucket")
BUCKET_VERSIONING = _renamed("s3", "BucketVersioning")
BUCKET_ENCRYPTION = _renamed("s3", "BucketServerSideEncryptionConfiguration")
BUCKET_LOGGING = _renamed("s3", "BucketLogging")
BUCKET_ACL = _renamed("s3", "BucketAcl")
BUCKET_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
BUCKET_PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
BUCKET_REPLICATION = ("aws:s3/bucketReplicationConfig:BucketReplicationConfig",)

# Data stores
RDS_INSTANCE = ("aws:rds/instance:Instance",)
RDS_CLUSTER = ("aws:rds/cluster:Cluster",)
RDS_CLUSTER_INSTANCE = ("aws:rds/clusterInstance:ClusterInstance",)
RDS_PARAMETER_GROUP = ("aws:rds/parameterGroup:ParameterGroup",)
RDS_CLUSTER_PARAMETER_GROUP = ("aws:rds/clusterParameterGroup:ClusterParameterGroup",)
DOCDB_CLUSTER = ("aws:docdb/cluster:Cluster",)
DOCDB_CLUSTER_INSTANCE = ("aws:docdb/clusterInstance:ClusterInstance",)
DOCDB_PARAMETER_GROUP = ("aws:docdb/clusterParameterGroup:ClusterParameterGroup",)
REPLICATION_GROUP = ("aws:elasticache/replicationGroup:ReplicationGroup",)
DYNAMODB_TABLE = ("aws:dynamodb/table:Table",)
EFS_FILE_SYSTEM = ("aws:efs/fileSystem:FileSystem",)

# Keys, secrets, backups
KMS_KEY = ("aws:kms/key:Key",)
SECRET = ("aws:secretsmanager/secret:Secret",)
SECRET_ROTATION = ("aws:secretsmanager/secretRotation:SecretRotation",)
BACKUP_VAULT = ("aws:backup/vault:Vault",)
BACKUP_PLAN = ("aws:backup/plan:Plan",)
BACKUP_SELECTION = ("aws:backup/selection:Selection",)
BACKUP_VAULT_LOCK = ("aws:backup/vaultLockConfiguration:VaultLockConfiguration",)
BACKUP_VAULT_NOTIFICATIONS = ("aws:backup/vaultNotifications:VaultNotifications",)
EVENT_RULE = ("aws:cloudwatch/eventRule:EventRule",)
EVENT_TARGET = ("aws:cloudwatch/eventTarget:EventTarget",)

# Monitoring
LOG_GROUP = ("aws:cloudwatch/logGroup:LogGroup",)
METRIC_ALARM = ("aws:cloudwatch/metricAlarm:MetricAlarm",)
DASHBOARD = ("aws:cloudwatch/dashboard:Dashboard",)
AWS_PROVIDER = ("pulumi:providers:aws",)

# Kubernetes (pulumi-kubernetes registers older API versions as aliases of the same resource)
K8S_DEPLOYMENT = (
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1beta1:Deployment",
    "kubernetes:apps/v1beta2:Deployment",
    "kubernetes:extensions/v1beta1:Deployment",
)
K8S_STATEFULSET = (
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1beta1:StatefulSet",
    "kubernetes:apps/v1beta2:StatefulSet",
)
K8S_DAEMONSET = (
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1beta2:DaemonSet",
    "kubernetes:extensions/v1beta1:DaemonSet",
)
K8S_JOB = ("kubernetes:batch/v1:Job",)
K8S_CRONJOB = (
    "kubernetes:batch/v1:CronJob",
    "kubernetes:batch/v1beta1:CronJob",
    "kubernetes:batch/v2alpha1:CronJob",
)
K8S_REPLICASET = (
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:apps/v1beta2:ReplicaSet",
    "kubernetes:extensions/v1beta1:ReplicaSet",
)
K8S_REPLICATION_CONTROLLER = ("kubernetes:core/v1:ReplicationController",)
K8S_POD = ("kubernetes:core/v1:Pod",)
K8S_LONG_RUNNING = (
    K8S_DEPLOYMENT + K8S_STATEFULSET + K8S_DAEMONSET + K8S_REPLICASET + K8S_REPLICATION_CONTROLLER + K8S_POD
)
K8S_WORKLOAD = K8S_LONG_RUNNING + K8S_JOB + K8S_CRONJOB
K8S_REPLICATED = K8S_DEPLOYMENT + K8S_STATEFULSET + K8S_REPLICASET + K8S_REPLICATION_CONTROLLER
K8S_PDB = ("kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:policy/v1beta1:PodDisruptionBudget")
K8S_HPA = (
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v2beta2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v2beta1:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
)
K8S_LIMIT_RANGE = ("kubernetes:core/v1:LimitRange",)
K8S_NETWORK_POLICY = (
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:extensions/v1beta1:NetworkPolicy",
)
EKS_CLUSTER = ("aws:eks/cluster:Cluster",)

# ---- Types the stack itself does not use, checked for the programs reviewers run the pack on ----
# (kept in one block so merges with the tokens above stay clean)

# Identity
IAM_ROLE = ("aws:iam/role:Role",)
IAM_POLICY = ("aws:iam/policy:Policy",)
IAM_ROLE_POLICY = ("aws:iam/rolePolicy:RolePolicy",)
IAM_USER_POLICY = ("aws:iam/userPolicy:UserPolicy",)
IAM_GROUP_POLICY = ("aws:iam/groupPolicy:GroupPolicy",)
IAM_ROLE_POLICY_ATTACHMENT = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",)
IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = ("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",)
IAM_USER_POLICY_ATTACHMENT = ("aws:iam/userPolicyAttachment:UserPolicyAttachment",)
IAM_GROUP_POLICY_ATTACHMENT = ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment",)
IAM_POLICY_ATTACHMENT = ("aws:iam/policyAttachment:PolicyAttachment",)
IAM_ACCESS_KEY = ("aws:iam/accessKey:AccessKey",)

# Serverless and APIs
LAMBDA_FUNCTION_URL = ("aws:lambda/functionUrl:FunctionUrl",)
LAMBDA_PERMISSION = ("aws:lambda/permission:Permission",)
APIGATEWAY_STAGE = ("aws:apigateway/stage:Stage",)
APIGATEWAY_METHOD = ("aws:apigateway/method:Method",)
APIGATEWAY_METHOD_SETTINGS = ("aws:apigateway/methodSettings:MethodSettings",)
APIGATEWAY_USAGE_PLAN = ("aws:apigateway/usagePlan:UsagePlan",)
APIGATEWAY_DOMAIN_NAME = ("aws:apigateway/domainName:DomainName",)
APIGATEWAYV2_API = ("aws:apigatewayv2/api:Api",)
APIGATEWAYV2_STAGE = ("aws:apigatewayv2/stage:Stage",)
APIGATEWAYV2_ROUTE = ("aws:apigatewayv2/route:Route",)
APIGATEWAYV2_DOMAIN_NAME = ("aws:apigatewayv2/domainName:DomainName",)

# Messaging
SQS_QUEUE = ("aws:sqs/queue:Queue",)
SQS_QUEUE_POLICY = ("aws:sqs/queuePolicy:QueuePolicy",)
SNS_TOPIC = ("aws:sns/topic:Topic",)
SNS_TOPIC_POLICY = ("aws:sns/topicPolicy:TopicPolicy",)

# Containers
ECS_SERVICE = ("aws:ecs/service:Service",)
ECR_REPOSITORY = ("aws:ecr/repository:Repository",)
ECR_REPOSITORY_POLICY = ("aws:ecr/repositoryPolicy:RepositoryPolicy",)
ECR_REGISTRY_SCANNING = ("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",)
EKS_NODE_GROUP = ("aws:eks/nodeGroup:NodeGroup",)

# Keys, parameters, audit
KMS_KEY_POLICY = ("aws:kms/keyPolicy:KeyPolicy",)
KMS_REPLICA_KEY = ("aws:kms/replicaKey:ReplicaKey",)
SSM_PARAMETER = ("aws:ssm/parameter:Parameter",)
CLOUDTRAIL = ("aws:cloudtrail/trail:Trail",)

# Network and compute
CLASSIC_LB = ("aws:elb/loadBalancer:LoadBalancer", "aws:elasticloadbalancing/loadBalancer:LoadBalancer")
NETWORK_ACL = ("aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl")
NETWORK_ACL_RULE = ("aws:ec2/networkAclRule:NetworkAclRule",)
LAUNCH_CONFIGURATION = ("aws:ec2/launchConfiguration:LaunchConfiguration",)
SPOT_INSTANCE_REQUEST = ("aws:ec2/spotInstanceRequest:SpotInstanceRequest",)

# Data stores
CACHE_CLUSTER = ("aws:elasticache/cluster:Cluster",)
SERVERLESS_CACHE = ("aws:elasticache/serverlessCache:ServerlessCache",)
