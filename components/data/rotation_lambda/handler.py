"""Secrets Manager rotation function for the secrets AWS can't rotate by itself (SEC-2).

Secrets Manager calls it four times per rotation, with the same `ClientRequestToken`:
createSecret (store a new value as AWSPENDING), setSecret (make the service accept it),
testSecret (check the service took it) and finishSecret (move AWSCURRENT to it). Every step may
be retried, so every step is idempotent.

How a secret rotates is not read from the secret (its tags could be edited by anyone allowed to
tag it) but from ROTATION_TARGETS, a JSON map `secret ARN -> {"kind", "target"}` set by the
program that also scoped this function's role to exactly those secrets and services.

Runs on the python3.12 Lambda runtime, which ships boto3; nothing else is imported.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import string
import time
from dataclasses import dataclass

logger = logging.getLogger()
logger.setLevel(logging.INFO)

CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"
# testSecret polls the service this long; the function's timeout leaves a minute on top.
WAIT_SECONDS = 540
POLL_SECONDS = 15
# How long (and how often) setSecret watches for a store to start applying a change.
CHANGE_WAIT_SECONDS = 120
CHANGE_POLL_SECONDS = 2


@dataclass(frozen=True)
class Shape:
    """A generated value: `length` characters, letters, digits and only `punctuation`."""

    length: int
    punctuation: str = ""

    @property
    def excluded(self) -> str:
        return "".join(c for c in string.punctuation if c not in self.punctuation)

    def generate(self, secretsmanager) -> str:
        return secretsmanager.get_random_password(
            PasswordLength=self.length,
            ExcludeCharacters=self.excluded,
            ExcludePunctuation=not self.punctuation,
            IncludeSpace=False,
            RequireEachIncludedType=True,
        )["RandomPassword"]


# Same shapes as the program's pulumi-random generators (components/secrets.py, document_store.py,
# cache.py; tests/components/test_rotation_handler.py holds them equal).
APP_SECRET = Shape(64)  # JWT, session and API secrets: 64 alphanumerics
# DocumentDB master passwords: 8-100 printable ASCII, no '/', '"', '@' or space.
DOCDB_PASSWORD = Shape(40, "!#$%^&*()-_=+[]{}<>:?")
# ElastiCache AUTH tokens: 16-128 printable, punctuation only from ! & # $ ^ < > -.
AUTH_TOKEN = Shape(64, "!&#$^<>-")
ENCRYPTION_KEY_BYTES = 32  # AES-256 field encryption keys, stored base64 in a keyring


def extend_keyring(ring: dict) -> dict:
    """A new active 256-bit key; every older key stays, for the data it encrypted. Key ids are
    `k<n>`, n one more than the highest so far."""
    keys = dict(ring["keys"])
    new_id = f"k{max(int(key_id[1:]) for key_id in keys) + 1}"
    keys[new_id] = base64.b64encode(secrets.token_bytes(ENCRYPTION_KEY_BYTES)).decode()
    return {"active": new_id, "keys": keys}


class Rotation:
    """One rotation step for one secret; `clients` maps service name -> boto3 client."""

    def __init__(self, clients, arn: str, token: str, kind: str, target: str | None):
        self.sm = clients["secretsmanager"]
        self.clients = clients
        self.arn, self.token, self.kind, self.target = arn, token, kind, target

    # -- steps ---------------------------------------------------------------------------------

    def create_secret(self) -> None:
        current = self.sm.get_secret_value(SecretId=self.arn, VersionStage=CURRENT)["SecretString"]
        try:
            self.sm.get_secret_value(SecretId=self.arn, VersionId=self.token, VersionStage=PENDING)
            logger.info("createSecret: %s already has a pending version for this token", self.arn)
            return
        except self.sm.exceptions.ResourceNotFoundException:
            pass
        self.sm.put_secret_value(
            SecretId=self.arn,
            ClientRequestToken=self.token,
            SecretString=self.new_value(current),
            VersionStages=[PENDING],
        )
        logger.info("createSecret: stored a new pending version of %s", self.arn)

    def set_secret(self) -> None:
        if self.kind == "docdb-master":
            # Control-plane call: no connection to the cluster (and so no VPC) needed. A cluster
            # busy with another change rejects modifications, so wait for it first.
            self._wait(self._cluster_status)
            self.clients["docdb"].modify_db_cluster(
                DBClusterIdentifier=self.target, MasterUserPassword=self.pending["password"], ApplyImmediately=True
            )
            # The reset starts asynchronously: right after the call the cluster still reads
            # `available` with the old password. Only once it has left that state (resetting-
            # master-credentials) does `available` again mean the new password is live.
            self._wait_for_change(self._cluster_status)
            self._wait(self._cluster_status)
        elif self.kind == "elasticache-auth":
            if self._token_already_set():
                logger.info("setSecret: %s already has the pending token", self.target)
                return
            self._wait(self._group_status)
            # ROTATE: the old and the new token are both accepted until the next change, so
            # clients still holding AWSCURRENT keep working until finishSecret.
            self.clients["elasticache"].modify_replication_group(
                ReplicationGroupId=self.target,
                AuthToken=self.pending["auth_token"],
                AuthTokenUpdateStrategy="ROTATE",
                ApplyImmediately=True,
            )
        logger.info("setSecret: %s done (%s)", self.arn, self.kind)

    def test_secret(self) -> None:
        # The function runs outside the VPC, so it can't open a database session; the control
        # plane reporting the store `available` again is the proof the change was applied.
        if self.kind == "docdb-master":
            self._wait(self._cluster_status)
        elif self.kind == "elasticache-auth":
            self._wait(self._group_status)
        logger.info("testSecret: %s done (%s)", self.arn, self.kind)

    def finish_secret(self) -> None:
        stages = self.sm.describe_secret(SecretId=self.arn)["VersionIdsToStages"]
        current = next((version for version, labels in stages.items() if CURRENT in labels), None)
        if current == self.token:
            logger.info("finishSecret: version %s of %s is already AWSCURRENT", self.token, self.arn)
            return
        self.sm.update_secret_version_stage(
            SecretId=self.arn, VersionStage=CURRENT, MoveToVersionId=self.token, RemoveFromVersionId=current
        )
        logger.info("finishSecret: AWSCURRENT of %s moved to %s", self.arn, self.token)

    # -- values --------------------------------------------------------------------------------

    def new_value(self, current: str) -> str:
        """A new value of the same shape as `current` (plain string or the store's JSON)."""
        if self.kind == "random":
            return APP_SECRET.generate(self.sm)
        if self.kind == "keyring":
            return json.dumps(extend_keyring(json.loads(current)))
        document = json.loads(current)
        if self.kind == "docdb-master":
            return json.dumps({**document, "password": DOCDB_PASSWORD.generate(self.sm)})
        return json.dumps({**document, "auth_token": AUTH_TOKEN.generate(self.sm)})

    @property
    def pending(self) -> dict:
        value = self.sm.get_secret_value(SecretId=self.arn, VersionId=self.token, VersionStage=PENDING)
        return json.loads(value["SecretString"])

    # -- services ------------------------------------------------------------------------------

    def _cluster_status(self) -> str:
        clusters = self.clients["docdb"].describe_db_clusters(DBClusterIdentifier=self.target)
        return clusters["DBClusters"][0]["Status"]

    def _replication_group(self) -> dict:
        groups = self.clients["elasticache"].describe_replication_groups(ReplicationGroupId=self.target)
        return groups["ReplicationGroups"][0]

    def _group_status(self) -> str:
        return self._replication_group()["Status"]

    def _token_already_set(self) -> bool:
        """A retried setSecret must not ROTATE twice: that would drop the old token, still AWSCURRENT."""
        modified = self._replication_group().get("AuthTokenLastModifiedDate")
        created = self.sm.get_secret_value(SecretId=self.arn, VersionId=self.token, VersionStage=PENDING)["CreatedDate"]
        return modified is not None and modified >= created

    def _wait_for_change(self, status) -> None:
        """Poll `status()` until the store leaves `available`, for at most CHANGE_WAIT_SECONDS (a
        change finished between two polls is taken as done)."""
        deadline = time.monotonic() + CHANGE_WAIT_SECONDS
        while status() == "available":
            if time.monotonic() >= deadline:
                logger.warning("%s never left 'available' after the change; taking it as applied", self.target)
                return
            time.sleep(CHANGE_POLL_SECONDS)

    def _wait(self, status) -> None:
        """Poll `status()` until the store is `available`, for at most WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while (state := status()) != "available":
            if time.monotonic() >= deadline:
                raise RuntimeError(f"{self.target} is still '{state}' after {WAIT_SECONDS} s; rotation retries later")
            time.sleep(POLL_SECONDS)


STEPS = {
    "createSecret": Rotation.create_secret,
    "setSecret": Rotation.set_secret,
    "testSecret": Rotation.test_secret,
    "finishSecret": Rotation.finish_secret,
}
KINDS = ("random", "keyring", "docdb-master", "elasticache-auth")


def rotate(event: dict, clients, targets: dict) -> None:
    """Run `event["Step"]` for `event["SecretId"]` after the standard checks."""
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    if arn not in targets:
        raise ValueError(f"{arn} is not a secret this function rotates")
    if step not in STEPS:
        raise ValueError(f"unknown rotation step {step!r}")
    metadata = clients["secretsmanager"].describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"rotation is not enabled on {arn}")
    stages = metadata.get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError(f"version {token} of {arn} has no stage for rotation")
    if CURRENT in stages[token]:
        logger.info("version %s of %s is already AWSCURRENT", token, arn)
        return
    if PENDING not in stages[token]:
        raise ValueError(f"version {token} of {arn} is not AWSPENDING")
    target = targets[arn]
    if target["kind"] not in KINDS:
        raise ValueError(f"{arn}: unknown rotation kind {target['kind']!r}")
    STEPS[step](Rotation(clients, arn, token, target["kind"], target.get("target")))


class _Clients(dict):
    """boto3 clients created on first use (boto3 comes with the Lambda runtime)."""

    def __missing__(self, service: str):
        import boto3  # pyright: ignore[reportMissingImports]  # the Lambda runtime ships it; not a dependency here

        self[service] = boto3.client(service)
        return self[service]


def lambda_handler(event, _context):
    rotate(event, _Clients(), json.loads(os.environ["ROTATION_TARGETS"]))
