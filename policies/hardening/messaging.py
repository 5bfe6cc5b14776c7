"""SQS and SNS policies: customer-managed encryption, and access policies that are neither public
nor open to plaintext HTTP.

A queue's or topic's access policy is either inline (`sqs.Queue(policy=...)`, `sns.Topic(policy=...)`)
or a separate `sqs.QueuePolicy` / `sns.TopicPolicy`; both are read.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _documents as doc
from . import _types as t
from ._helpers import get, text
from ._links import Pointers
from ._policy import CRITICAL, HIGH, MEDIUM, Stack, resource_policy, stack_policy


@dataclass(frozen=True)
class Service:
    noun: str
    resource: tuple[str, ...]
    policy: tuple[str, ...]
    target_prop: str
    action_prefix: str
    # The calls that carry message data; AWS's own TLS-only examples deny these (SNS: Publish).
    data_actions: tuple[str, ...]
    managed_alias: str


SQS = Service(
    "queue",
    t.SQS_QUEUE,
    t.SQS_QUEUE_POLICY,
    "queueUrl",
    "sqs",
    ("sqs:SendMessage", "sqs:ReceiveMessage"),
    "alias/aws/sqs",
)
SNS = Service("topic", t.SNS_TOPIC, t.SNS_TOPIC_POLICY, "arn", "sns", ("sns:Publish",), "alias/aws/sns")


def _cmk(service: Service):
    def check(args, _cfg):
        key = text(get(args.props, "kmsMasterKeyId"))
        if not key:
            yield f"kmsMasterKeyId is not set: the {service.noun} is not encrypted with a customer-managed key"
        elif key.endswith(service.managed_alias):
            yield f"kmsMasterKeyId is the AWS-managed {service.managed_alias}; use a customer-managed key"

    return check


def _public(args, _cfg):
    yield from doc.public_statements(get(args.props, "policy"))


def _tls_only(service: Service):
    def check(stack: Stack, _cfg):
        policies = Pointers(stack, service.policy, service.target_prop)
        for resource in stack.of(service.resource):
            documents = [get(resource.props, "policy")] + [get(p.props, "policy") for p in policies.at(resource)]
            if not any(doc.denies_insecure_transport(d, service.data_actions) for d in documents):
                yield (
                    f"{service.noun} '{resource.name}' has no policy denying requests without TLS "
                    "(aws:SecureTransport false)",
                    resource.urn,
                )

    return check


def _tls_statement(service: Service, resource_arn: str) -> str:
    return (
        f"{{'Sid': 'TlsOnly', 'Effect': 'Deny', 'Principal': '*', 'Action': '{service.action_prefix}:*', "
        f"'Resource': {resource_arn}, 'Condition': {{'Bool': {{'aws:SecureTransport': 'false'}}}}}}"
    )


POLICIES = [
    resource_policy(
        "sqs-queue-cmk",
        types=t.SQS_QUEUE,
        description="Queues are encrypted with a customer-managed KMS key (SSE-SQS and the AWS-managed key cannot "
        "be restricted or audited per key policy).",
        severity=MEDIUM,
        checklist=("DB-2",),
        remediation="Set aws.sqs.Queue(kms_master_key_id=key.arn, kms_data_key_reuse_period_seconds=300) and let "
        "the producers' roles use the key.",
        check=_cmk(SQS),
    ),
    resource_policy(
        "sns-topic-cmk",
        types=t.SNS_TOPIC,
        description="Topics are encrypted with a customer-managed KMS key.",
        severity=MEDIUM,
        checklist=("DB-2",),
        remediation="Set aws.sns.Topic(kms_master_key_id=key.arn) and allow the publishing services "
        "kms:GenerateDataKey*/kms:Decrypt in the key policy.",
        check=_cmk(SNS),
    ),
    resource_policy(
        "sqs-queue-policy-not-public",
        types=t.SQS_QUEUE + t.SQS_QUEUE_POLICY,
        description="No queue policy lets anyone send, receive or delete messages: a `*` principal needs a "
        "condition naming the source account, ARN or organisation.",
        severity=CRITICAL,
        checklist=("IAM-3",),
        remediation="In aws.sqs.QueuePolicy(queue_url=queue.url, policy=...) (or Queue(policy=...)) name the "
        "principal, or keep 'Principal': '*' only with {'ArnEquals': {'aws:SourceArn': topic.arn}}.",
        check=_public,
    ),
    resource_policy(
        "sns-topic-policy-not-public",
        types=t.SNS_TOPIC + t.SNS_TOPIC_POLICY,
        description="No topic policy lets anyone publish or subscribe: a `*` principal needs a condition naming "
        "the source account, ARN or organisation.",
        severity=CRITICAL,
        checklist=("IAM-3",),
        remediation="In aws.sns.TopicPolicy(arn=topic.arn, policy=...) (or Topic(policy=...)) name the principal "
        "({'Service': 'cloudwatch.amazonaws.com'}) with {'StringEquals': {'aws:SourceAccount': <account id>}}.",
        check=_public,
    ),
    stack_policy(
        "sqs-queue-tls-only",
        description="Every queue's policy denies sending and receiving messages without TLS.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Add aws.sqs.QueuePolicy(queue_url=queue.url, policy=...) with the statement "
        f"{_tls_statement(SQS, 'queue.arn')}.",
        check=_tls_only(SQS),
    ),
    stack_policy(
        "sns-topic-tls-only",
        description="Every topic's policy denies publishing without TLS.",
        severity=HIGH,
        checklist=("NET-8",),
        remediation="Add aws.sns.TopicPolicy(arn=topic.arn, policy=...) with the statement "
        f"{_tls_statement(SNS, 'topic.arn')}.",
        check=_tls_only(SNS),
    ),
]
