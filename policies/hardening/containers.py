"""Container policies: ECS task definitions and services, ECR repositories.

The ECS rules are the task-definition form of the Kubernetes container rules (K8S-3): a container
that is privileged, writes its root filesystem, runs as root or shares the host's process or IPC
namespace turns a bug in the application into control of the host. Plaintext secrets in container
environments are checked in `secrets.py` (`ecs-taskdefinition-no-plaintext-secrets`).
"""

from __future__ import annotations

import fnmatch

from . import _documents as doc
from . import _types as t
from ._helpers import flag, get, items, json_document, text
from ._policy import CRITICAL, HIGH, MEDIUM, Stack, resource_policy, stack_policy

_ROOT_USERS = {"root", "0"}


def _containers(args) -> list:
    return [c for c in items(json_document(get(args.props, "containerDefinitions"))) if get(c, "name") is not None]


def _privileged(args, _cfg):
    for container in _containers(args):
        if flag(get(container, "privileged")):
            yield f"container '{text(get(container, 'name'))}' is privileged"


def _read_only_root(args, _cfg):
    for container in _containers(args):
        if not flag(get(container, "readonlyRootFilesystem")):
            yield f"container '{text(get(container, 'name'))}' has a writable root filesystem"


def _non_root(args, _cfg):
    for container in _containers(args):
        user = text(get(container, "user"))
        if not user:
            yield f"container '{text(get(container, 'name'))}' sets no user, so it runs as the image's (often root)"
        elif user.split(":")[0] in _ROOT_USERS:
            yield f"container '{text(get(container, 'name'))}' runs as root (user '{user}')"


def _host_namespaces(args, _cfg):
    for key in ("pidMode", "ipcMode", "networkMode"):
        if text(get(args.props, key)) == "host":
            yield f"{key} is 'host': containers share the host's {key[:-4]} namespace"


def _logging(args, _cfg):
    for container in _containers(args):
        if not get(container, "logConfiguration", "logDriver"):
            yield f"container '{text(get(container, 'name'))}' has no logConfiguration: its output is lost"


def _service_public_ip(args, _cfg):
    if flag(get(args.props, "networkConfiguration", "assignPublicIp")):
        yield "network_configuration.assign_public_ip is true: tasks get public IPs"


def _immutable_tags(args, _cfg):
    mode = text(get(args.props, "imageTagMutability")) or "MUTABLE"
    if not mode.startswith("IMMUTABLE"):
        yield f"image_tag_mutability is {mode}: a pushed tag can be replaced by another image"


def _repository_kms(args, _cfg):
    configs = items(get(args.props, "encryptionConfigurations"))
    kind = text(get(configs[0], "encryptionType")) if configs else ""
    if not kind.startswith("KMS"):
        yield f"encryption_type is {kind or 'AES256 (default)'}: images are not encrypted with a KMS key"
    elif not get(configs[0], "kmsKey"):
        yield "encryption_configurations has no kms_key: images use the AWS-managed aws/ecr key"


def _registry_scan_filters(stack: Stack) -> list[str]:
    """Repository-name wildcards a registry-wide scanning configuration scans on push or continuously."""
    filters = []
    for config in stack.of(t.ECR_REGISTRY_SCANNING):
        for rule in items(get(config.props, "rules")):
            if text(get(rule, "scanFrequency")) in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"):
                filters += [text(get(f, "filter")) for f in items(get(rule, "repositoryFilters"))]
    return filters


def _scan_on_push(stack: Stack, _cfg):
    filters = _registry_scan_filters(stack)
    for repository in stack.of(t.ECR_REPOSITORY):
        if flag(get(repository.props, "imageScanningConfiguration", "scanOnPush")):
            continue
        name = text(get(repository.props, "name")) or repository.name
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in filters):
            yield f"ECR repository '{repository.name}' does not scan images on push", repository.urn


def _repository_policy_public(args, _cfg):
    yield from doc.public_statements(get(args.props, "policy"))


_TASK = (
    "aws.ecs.TaskDefinition(family='app', requires_compatibilities=['FARGATE'], network_mode='awsvpc', cpu='256', "
    "memory='512', container_definitions=json.dumps([{'name': 'app', 'image': ..., "
)

POLICIES = [
    resource_policy(
        "ecs-taskdefinition-not-privileged",
        types=t.TASK_DEFINITION,
        description="No container runs privileged (root on the host, every device).",
        severity=CRITICAL,
        checklist=("K8S-3",),
        remediation=f"Remove 'privileged': True from the container: {_TASK}'privileged': False}}])).",
        check=_privileged,
    ),
    resource_policy(
        "ecs-taskdefinition-read-only-root",
        types=t.TASK_DEFINITION,
        description="Containers have a read-only root filesystem; writable paths are declared volumes.",
        severity=MEDIUM,
        checklist=("K8S-3",),
        remediation=f"Set {_TASK}'readonlyRootFilesystem': True, 'mountPoints': [...]}}])).",
        check=_read_only_root,
    ),
    resource_policy(
        "ecs-taskdefinition-non-root-user",
        types=t.TASK_DEFINITION,
        description="Containers run as a non-root user.",
        severity=HIGH,
        checklist=("K8S-3",),
        remediation=f"Set {_TASK}'user': '1000:1000'}}])).",
        check=_non_root,
    ),
    resource_policy(
        "ecs-taskdefinition-no-host-namespaces",
        types=t.TASK_DEFINITION,
        description="Tasks do not share the host's process, IPC or network namespace.",
        severity=HIGH,
        checklist=("K8S-3",),
        remediation="Remove pid_mode='host' and ipc_mode='host' from aws.ecs.TaskDefinition(...) and use "
        "network_mode='awsvpc'.",
        check=_host_namespaces,
    ),
    resource_policy(
        "ecs-taskdefinition-logging",
        types=t.TASK_DEFINITION,
        description="Every container sends its output to a log driver (CloudWatch Logs).",
        severity=MEDIUM,
        checklist=("OBS-2",),
        remediation=f"Set {_TASK}'logConfiguration': {{'logDriver': 'awslogs', 'options': {{'awslogs-group': "
        "log_group.name, 'awslogs-region': region, 'awslogs-stream-prefix': 'app'}}}])).",
        check=_logging,
    ),
    resource_policy(
        "ecs-service-no-public-ip",
        types=t.ECS_SERVICE,
        description="Services run tasks in private subnets without public IPs, behind the load balancer.",
        severity=HIGH,
        checklist=("HOST-4", "NET-5"),
        remediation="Set aws.ecs.Service(cluster=cluster.arn, task_definition=task.arn, desired_count=2, "
        "network_configuration={'subnets': private_subnet_ids, 'security_groups': [sg.id], "
        "'assign_public_ip': False}).",
        check=_service_public_ip,
    ),
    resource_policy(
        "ecr-repository-immutable-tags",
        types=t.ECR_REPOSITORY,
        description="Image tags are immutable, so a deployed tag always means the same image.",
        severity=MEDIUM,
        checklist=("K8S-4",),
        remediation="Set aws.ecr.Repository(image_tag_mutability='IMMUTABLE').",
        check=_immutable_tags,
    ),
    stack_policy(
        "ecr-repository-scan-on-push",
        description="Images are scanned for vulnerabilities when pushed (per repository or by a registry-wide "
        "scanning configuration).",
        severity=MEDIUM,
        checklist=("HOST-5",),
        remediation="Set aws.ecr.Repository(image_scanning_configuration={'scan_on_push': True}) or add "
        "aws.ecr.RegistryScanningConfiguration(scan_type='ENHANCED', rules=[{'scan_frequency': 'SCAN_ON_PUSH', "
        "'repository_filters': [{'filter': '*', 'filter_type': 'WILDCARD'}]}]).",
        check=_scan_on_push,
    ),
    resource_policy(
        "ecr-repository-kms",
        types=t.ECR_REPOSITORY,
        description="Images are encrypted with a customer-managed KMS key.",
        severity=MEDIUM,
        checklist=("DB-2",),
        remediation="Set aws.ecr.Repository(encryption_configurations=[{'encryption_type': 'KMS', 'kms_key': "
        "key.arn}]) (replacement required).",
        check=_repository_kms,
    ),
    resource_policy(
        "ecr-repositorypolicy-not-public",
        types=t.ECR_REPOSITORY_POLICY,
        description="No repository policy lets anyone pull or push images: a `*` principal needs a condition "
        "naming the account or organisation.",
        severity=CRITICAL,
        checklist=("IAM-3",),
        remediation="In aws.ecr.RepositoryPolicy(repository=repo.name, policy=...) name the account roles, or keep "
        "'Principal': '*' only with {'StringEquals': {'aws:PrincipalOrgID': 'o-…'}}.",
        check=_repository_policy_public,
    ),
]
