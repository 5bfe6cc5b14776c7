"""The rotation function (components/rotation_lambda/handler.py) against in-memory stand-ins for
Secrets Manager, DocumentDB and ElastiCache that keep AWS's version-stage rules (no network)."""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import string
import uuid
from datetime import UTC, datetime

import pytest

from components.data import cache
from components.data import documentdb as document_store
from components.data.rotation_lambda import handler

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:platform/test/thing-AbCdEf"
CLUSTER, GROUP = "platform-test-docdb", "platform-test-cache"
# What each service accepts (AWS documentation).
DOCDB_CHARS = {c for c in string.printable if c.isprintable()} - set('/"@ ')
AUTH_TOKEN_CHARS = set(string.ascii_letters + string.digits + "!&#$^<>-")


class NotFound(Exception):
    pass


class FakeSecretsManager:
    """One secret's versions and staging labels, with Secrets Manager's label moves."""

    class exceptions:  # boto3's spelling
        ResourceNotFoundException = NotFound

    def __init__(self, value: str):
        self.versions: dict[str, dict] = {}
        self.rotation_enabled = True
        self._add("initial", value, {"AWSCURRENT"})

    def _add(self, version, value, stages):
        for other in self.versions.values():
            other["stages"] -= stages
        self.versions[version] = {"value": value, "stages": set(stages), "created": datetime.now(UTC)}

    def start_rotation(self) -> str:
        """What RotateSecret does before calling the function: an empty AWSPENDING version."""
        token = str(uuid.uuid4())
        self._add(token, None, {"AWSPENDING"})
        return token

    def describe_secret(self, SecretId):
        assert SecretId == ARN
        return {
            "RotationEnabled": self.rotation_enabled,
            "VersionIdsToStages": {v: sorted(d["stages"]) for v, d in self.versions.items() if d["stages"]},
        }

    def get_secret_value(self, SecretId, VersionId=None, VersionStage=None):
        for version, data in self.versions.items():
            if (VersionId in (None, version)) and (VersionStage is None or VersionStage in data["stages"]):
                if data["value"] is None:
                    break
                return {"SecretString": data["value"], "VersionId": version, "CreatedDate": data["created"]}
        raise NotFound(f"{VersionId}/{VersionStage}")

    def put_secret_value(self, SecretId, ClientRequestToken, SecretString, VersionStages):
        existing = self.versions.get(ClientRequestToken)
        if existing and existing["value"] not in (None, SecretString):
            raise AssertionError("ResourceExistsException: a version with this token has another value")
        self._add(ClientRequestToken, SecretString, set(VersionStages))

    def update_secret_version_stage(self, SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId):
        holder = next(v for v, d in self.versions.items() if VersionStage in d["stages"])
        assert holder == RemoveFromVersionId, "AWS requires naming the version the label moves from"
        self.versions[holder]["stages"].discard(VersionStage)
        if VersionStage == "AWSCURRENT":
            for data in self.versions.values():
                data["stages"].discard("AWSPREVIOUS")
            self.versions[holder]["stages"].add("AWSPREVIOUS")
        self.versions[MoveToVersionId]["stages"].add(VersionStage)

    def get_random_password(
        self, PasswordLength, ExcludeCharacters, ExcludePunctuation, IncludeSpace, RequireEachIncludedType
    ):
        alphabet = string.ascii_letters + string.digits + ("" if ExcludePunctuation else string.punctuation)
        alphabet = "".join(c for c in alphabet if c not in ExcludeCharacters) + (" " if IncludeSpace else "")
        kinds = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation)
        while True:
            value = "".join(secrets.choice(alphabet) for _ in range(PasswordLength))
            present = [k for k in kinds if set(k) & set(alphabet)]
            if not RequireEachIncludedType or all(set(value) & set(k) for k in present):
                return {"RandomPassword": value}

    @property
    def current(self) -> str:
        return self.get_secret_value(ARN, VersionStage="AWSCURRENT")["SecretString"]


class FakeDocDb:
    """A cluster as DocumentDB reports it: after a change it still reads `available` (old password)
    for `lag_polls` status reads, then `resetting-master-credentials` for `busy_polls` reads, and
    only then does the new password work."""

    def __init__(self, password: str, busy_polls: int = 2, lag_polls: int = 2):
        self.password, self.busy_polls, self.lag_polls = password, busy_polls, lag_polls
        self.busy, self.lag, self.requested = 0, 0, None
        self.modifications = []

    def modify_db_cluster(self, DBClusterIdentifier, MasterUserPassword, ApplyImmediately):
        assert DBClusterIdentifier == CLUSTER and ApplyImmediately is True
        assert self.busy == 0 and self.lag == 0, "InvalidDBClusterStateFault: the cluster is not available"
        self.requested, self.lag, self.busy = MasterUserPassword, self.lag_polls, self.busy_polls
        self.modifications.append(MasterUserPassword)

    def describe_db_clusters(self, DBClusterIdentifier):
        assert DBClusterIdentifier == CLUSTER
        if self.lag:
            self.lag -= 1
            status = "available"
        elif self.busy:
            self.busy -= 1
            status = "resetting-master-credentials"
            if not self.busy and self.requested:
                self.password = self.requested
        else:
            status = "available"
        return {"DBClusters": [{"DBClusterIdentifier": CLUSTER, "Status": status}]}


class FakeElastiCache:
    """A replication group with ElastiCache's ROTATE rule: at most two accepted tokens."""

    def __init__(self, token: str):
        self.tokens, self.modified, self.status = [token], None, "available"
        self.rotations = 0

    def modify_replication_group(self, ReplicationGroupId, AuthToken, AuthTokenUpdateStrategy, ApplyImmediately):
        assert ReplicationGroupId == GROUP and AuthTokenUpdateStrategy == "ROTATE" and ApplyImmediately is True
        self.tokens = [*self.tokens, AuthToken][-2:]
        self.modified, self.rotations = datetime.now(UTC), self.rotations + 1

    def describe_replication_groups(self, ReplicationGroupId):
        assert ReplicationGroupId == GROUP
        group = {"ReplicationGroupId": GROUP, "Status": self.status}
        if self.modified:
            group["AuthTokenLastModifiedDate"] = self.modified
        return {"ReplicationGroups": [group]}


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(handler.time, "sleep", lambda _seconds: None)


def step(clients, kind, name, token, target=None):
    targets = {ARN: {"kind": kind, "target": target}}
    handler.rotate({"SecretId": ARN, "ClientRequestToken": token, "Step": name}, clients, targets)


def rotate_fully(clients, kind, target=None) -> str:
    token = clients["secretsmanager"].start_rotation()
    for name in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        step(clients, kind, name, token, target)
    return token


def docdb_secret(password="Initial-password-1"):
    return json.dumps(
        {"engine": "mongo", "host": "h", "port": 27017, "username": "alawael_admin", "password": password, "ssl": True}
    )


def cache_secret(token="Initial-token-0123456789"):
    return json.dumps({"host": "h", "port": 6379, "auth_token": token, "tls": True})


def test_application_secrets_rotate_to_a_new_value_and_keep_the_old_one_as_previous():
    sm = FakeSecretsManager("old-value")
    # Only Secrets Manager: set/testSecret must not touch any other service for these kinds.
    token = rotate_fully({"secretsmanager": sm}, "random")
    assert sm.current != "old-value"
    assert sm.versions[token]["stages"] >= {"AWSCURRENT"}
    assert sm.versions["initial"]["stages"] == {"AWSPREVIOUS"}  # the app still accepts it meanwhile


def test_application_secrets_keep_their_shape_of_64_alphanumerics():
    sm = FakeSecretsManager("x" * 64)
    rotate_fully({"secretsmanager": sm}, "random")
    assert len(sm.current) == 64 and sm.current.isalnum()


def test_the_encryption_keyring_gains_a_new_active_key_and_keeps_every_old_one():
    first = base64.b64encode(bytes(32)).decode()
    sm = FakeSecretsManager(json.dumps({"active": "k1", "keys": {"k1": first}}))
    clients = {"secretsmanager": sm}
    rings = [json.loads(sm.current)]
    for _ in range(3):  # three periods later, data encrypted with k1 is still readable
        rotate_fully(clients, "keyring")
        rings.append(json.loads(sm.current))
    final = rings[-1]
    assert final["active"] == "k4" and list(final["keys"]) == ["k1", "k2", "k3", "k4"]
    assert final["keys"]["k1"] == first
    for older, newer in itertools.pairwise(rings):
        assert older["keys"].items() <= newer["keys"].items()  # nothing dropped or changed
    assert all(len(base64.b64decode(key, validate=True)) == 32 for key in final["keys"].values())
    assert len(set(final["keys"].values())) == 4  # each a fresh random key
    assert rings[-2]["active"] == "k3"  # AWSPREVIOUS still names a key the new ring holds
    assert json.loads(sm.get_secret_value(ARN, VersionStage="AWSPREVIOUS")["SecretString"]) == rings[-2]


def test_create_secret_twice_stores_one_pending_version():
    sm = FakeSecretsManager("old-value")
    clients = {"secretsmanager": sm}
    token = sm.start_rotation()
    step(clients, "random", "createSecret", token)
    first = sm.versions[token]["value"]
    step(clients, "random", "createSecret", token)
    assert sm.versions[token]["value"] == first
    assert [v for v, d in sm.versions.items() if "AWSPENDING" in d["stages"]] == [token]


def test_finish_secret_moves_awscurrent_once_and_is_idempotent():
    sm = FakeSecretsManager("old-value")
    clients = {"secretsmanager": sm}
    token = sm.start_rotation()
    step(clients, "random", "createSecret", token)
    assert sm.current == "old-value"  # nothing changes for readers before finishSecret
    step(clients, "random", "finishSecret", token)
    step(clients, "random", "finishSecret", token)
    assert sm.get_secret_value(ARN, VersionStage="AWSCURRENT")["VersionId"] == token


def test_docdb_rotation_sets_a_valid_password_on_the_cluster_and_keeps_the_json():
    sm, docdb = FakeSecretsManager(docdb_secret()), FakeDocDb("Initial-password-1")
    rotate_fully({"secretsmanager": sm, "docdb": docdb}, "docdb-master", CLUSTER)
    before, after = json.loads(docdb_secret()), json.loads(sm.current)
    assert {k: v for k, v in after.items() if k != "password"} == {k: v for k, v in before.items() if k != "password"}
    assert docdb.password == after["password"] != before["password"]
    assert docdb.modifications == [after["password"]]
    assert 8 <= len(after["password"]) <= 100 and set(after["password"]) <= DOCDB_CHARS


def test_docdb_set_secret_waits_for_a_busy_cluster_and_test_secret_for_the_change():
    sm, docdb = FakeSecretsManager(docdb_secret()), FakeDocDb("Initial-password-1")
    docdb.busy = 3  # e.g. a maintenance action in progress
    clients = {"secretsmanager": sm, "docdb": docdb}
    token = sm.start_rotation()
    for name in ("createSecret", "setSecret", "testSecret"):
        step(clients, "docdb-master", name, token, CLUSTER)
    assert docdb.busy == 0 and len(docdb.modifications) == 1


def test_docdb_test_secret_passes_only_once_the_new_password_is_live():
    # Right after the change the cluster still reads `available`, with the old password.
    sm, docdb = FakeSecretsManager(docdb_secret()), FakeDocDb("Initial-password-1", lag_polls=3, busy_polls=4)
    clients = {"secretsmanager": sm, "docdb": docdb}
    token = sm.start_rotation()
    for name in ("createSecret", "setSecret", "testSecret"):
        step(clients, "docdb-master", name, token, CLUSTER)
    pending = json.loads(sm.get_secret_value(ARN, VersionId=token, VersionStage="AWSPENDING")["SecretString"])
    assert docdb.password == pending["password"]  # finishSecret may now make it AWSCURRENT


def test_set_secret_gives_up_after_a_bounded_wait(monkeypatch):
    sm, docdb = FakeSecretsManager(docdb_secret()), FakeDocDb("Initial-password-1", busy_polls=10**6)
    clients = {"secretsmanager": sm, "docdb": docdb}
    token = sm.start_rotation()
    step(clients, "docdb-master", "createSecret", token, CLUSTER)
    clock = iter(range(0, 10**6, handler.CHANGE_POLL_SECONDS))
    monkeypatch.setattr(handler.time, "monotonic", lambda: next(clock))
    with pytest.raises(RuntimeError, match=f"{CLUSTER} is still 'resetting-master-credentials'"):
        step(clients, "docdb-master", "setSecret", token, CLUSTER)
    assert sm.current == docdb_secret()  # AWSCURRENT untouched: the rotation is retried, not half-done


def test_cache_rotation_rotates_the_auth_token_keeping_the_old_one_valid_until_finish():
    sm, group = FakeSecretsManager(cache_secret()), FakeElastiCache("Initial-token-0123456789")
    clients = {"secretsmanager": sm, "elasticache": group}
    token = sm.start_rotation()
    for name in ("createSecret", "setSecret", "testSecret"):
        step(clients, "elasticache-auth", name, token, GROUP)
    new = json.loads(sm.versions[token]["value"])["auth_token"]
    # Clients reading AWSCURRENT (still the old token) keep working during the switch.
    assert json.loads(sm.current)["auth_token"] in group.tokens and new in group.tokens
    step(clients, "elasticache-auth", "finishSecret", token, GROUP)
    after = json.loads(sm.current)
    assert after == {**json.loads(cache_secret()), "auth_token": new}
    assert 16 <= len(new) <= 128 and set(new) <= AUTH_TOKEN_CHARS


def test_a_retried_cache_set_secret_does_not_rotate_the_old_token_away():
    sm, group = FakeSecretsManager(cache_secret()), FakeElastiCache("Initial-token-0123456789")
    clients = {"secretsmanager": sm, "elasticache": group}
    token = sm.start_rotation()
    step(clients, "elasticache-auth", "createSecret", token, GROUP)
    step(clients, "elasticache-auth", "setSecret", token, GROUP)
    step(clients, "elasticache-auth", "setSecret", token, GROUP)
    assert group.rotations == 1 and "Initial-token-0123456789" in group.tokens


def test_generated_values_stay_within_each_services_rules():
    sm = FakeSecretsManager("unused")
    for _ in range(20):
        password = handler.DOCDB_PASSWORD.generate(sm)
        token = handler.AUTH_TOKEN.generate(sm)
        assert set(password) <= DOCDB_CHARS and 8 <= len(password) <= 100
        assert set(token) <= AUTH_TOKEN_CHARS and 16 <= len(token) <= 128


def test_rotated_values_have_the_shape_pulumi_generates_first():
    """The function and the program's pulumi-random generators agree (components/*.py)."""
    assert set(handler.DOCDB_PASSWORD.punctuation) == set(document_store.PASSWORD_SPECIALS)
    assert set(handler.AUTH_TOKEN.punctuation) == set(cache.AUTH_TOKEN_SPECIALS)
    assert handler.APP_SECRET.punctuation == "" and handler.APP_SECRET.length == 64


@pytest.mark.parametrize(
    ("targets", "enabled", "pending", "error"),
    [
        ({}, True, True, "not a secret this function rotates"),
        ({ARN: {"kind": "random"}}, False, True, "rotation is not enabled"),
        ({ARN: {"kind": "random"}}, True, False, "is not AWSPENDING"),
        ({ARN: {"kind": "telepathy"}}, True, True, "unknown rotation kind"),
    ],
)
def test_the_function_refuses_what_it_was_not_set_up_to_rotate(targets, enabled, pending, error):
    sm = FakeSecretsManager("old-value")
    sm.rotation_enabled = enabled
    token = sm.start_rotation()
    if not pending:
        sm.versions[token]["stages"] = {"SOMETHING-ELSE"}
    with pytest.raises(ValueError, match=error):
        handler.rotate(
            {"SecretId": ARN, "ClientRequestToken": token, "Step": "createSecret"}, {"secretsmanager": sm}, targets
        )
    assert sm.current == "old-value"
