"""The pack as the engine runs it: a separate process serving gRPC, configured per stack."""

from __future__ import annotations

import json
import re

import pulumi
import pulumi_aws as aws
import pytest
from conftest import CHECKLIST, ROOT, graph_of, on, provider

from pulumi_offline.analyzer import PackStartError, PolicyConfigError, PolicyPackServer

PACK_DIR = ROOT / "policies"
CHECKLIST_ID = re.compile(r"^(SEC|NET|DB|HOST|OBS|DEP|IAM|API|K8S)-\d+$")


@pytest.fixture(scope="module")
def server():
    with PolicyPackServer(PACK_DIR, project="platform", stack="prod", stack_config={"aws:region": "eu-west-1"}) as pack:
        yield pack


def _violating():
    p = provider(tags={"environment": "prod"})
    aws.rds.Instance(
        "db",
        engine="postgres",
        instance_class="db.t4g.medium",
        allocated_storage=20,
        publicly_accessible=True,
        password=pulumi.Output.secret("hunter2hunter2"),
        opts=on(p),
    )
    aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=on(p))


def _compliant():
    p = provider()
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=on(p))
    aws.ec2.FlowLog("vpc-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination="arn:aws:logs:x", opts=on(p))
    aws.ec2.DefaultSecurityGroup("vpc-default-sg", vpc_id=vpc.id, opts=on(p))
    aws.kms.Key("data", enable_key_rotation=True, deletion_window_in_days=30, opts=on(p))


def test_pack_reports_its_catalogue(server):
    info = server.info()
    assert info.name == "platform-hardening"
    assert len(info.policies) >= 55
    assert any(p.stack_policy for p in info.policies) and any(not p.stack_policy for p in info.policies)
    for policy in info.policies:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+){2,}", policy.name), policy.name
        assert policy.description and policy.remediation_steps and policy.severity, policy.name
        assert policy.tags and all(CHECKLIST_ID.match(tag) for tag in policy.tags), policy.name


def test_every_checklist_id_a_policy_names_exists():
    if CHECKLIST is None:
        pytest.skip("shared checklist not available")
    ids = set(re.findall(r"^- ((?:SEC|NET|DB|HOST|OBS|DEP|IAM|API|K8S)-\d+) ", CHECKLIST.read_text(), re.MULTILINE))
    with PolicyPackServer(PACK_DIR) as pack:
        named = {tag for p in pack.info().policies for tag in p.tags}
    assert named <= ids


def test_violating_resources_get_resource_and_stack_diagnostics(server):
    server.configure({})
    diagnostics = server.analyze_graph(graph_of(_violating))
    by_policy = {d.policy_name: d for d in diagnostics}
    public = by_policy["rds-instance-no-public-access"]
    assert public.enforcement_level == "mandatory" and public.severity == "critical"
    assert public.urn.endswith("aws:rds/instance:Instance::db") and "publiclyAccessible is true" in public.message
    assert public.policy_pack_name == "platform-hardening"
    flow = by_policy["ec2-vpc-flow-logs-enabled"]
    assert flow.urn.endswith("::vpc") and "has no flow log" in flow.message
    assert "owner" in by_policy["tags-resource-required"].message  # provider default tags lack it


def test_secret_values_never_cross_into_diagnostics(server):
    server.configure({})
    assert not [d for d in server.analyze_graph(graph_of(_violating)) if "hunter2" in d.message]


def test_compliant_resources_get_no_diagnostics(server):
    server.configure({})
    assert server.analyze_graph(graph_of(_compliant)) == []


def test_stack_config_files_set_enforcement_per_stack(server):
    staging = json.loads((PACK_DIR / "config" / "staging.json").read_text())
    server.configure(staging)
    levels = {d.policy_name: d.enforcement_level for d in server.analyze_graph(graph_of(_violating))}
    assert levels["rds-instance-multi-az"] == "advisory"
    assert levels["rds-instance-no-public-access"] == "mandatory"
    server.configure(json.loads((PACK_DIR / "config" / "prod.json").read_text()))
    levels = {d.policy_name: d.enforcement_level for d in server.analyze_graph(graph_of(_violating))}
    assert levels["rds-instance-multi-az"] == "mandatory"


def test_disabled_policies_do_not_run(server):
    server.configure({"rds-instance-no-public-access": "disabled"})
    assert "rds-instance-no-public-access" not in {d.policy_name for d in server.analyze_graph(graph_of(_violating))}


def test_bad_policy_config_is_rejected_with_its_location(server):
    with pytest.raises(PolicyConfigError, match=r"rds-instance-backup-retention\.minRetentionDays"):
        server.configure({"rds-instance-backup-retention": {"minRetentionDays": "seven"}})
    with pytest.raises(PolicyConfigError, match="no-such-policy"):
        server.configure({"no-such-policy": "advisory"})


def test_values_unknown_during_preview_give_the_sdks_advisory(server):
    server.configure({})

    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")  # dhcpOptionsId is computed: unknown in preview
        aws.rds.Instance(
            "db",
            engine="postgres",
            instance_class="db.t4g.medium",
            allocated_storage=20,
            manage_master_user_password=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=vpc.dhcp_options_id,
        )

    diagnostics = server.analyze_graph(graph_of(program))
    preview = [d for d in diagnostics if "can't be known during preview" in d.message]
    assert [d.policy_name for d in preview] == ["rds-instance-final-snapshot"]
    assert preview[0].enforcement_level == "advisory" and ".finalSnapshotIdentifier" in preview[0].message


def test_a_pack_that_fails_to_start_reports_its_stderr(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (tmp_path / "__main__.py").write_text("raise SystemExit('policy pack is broken: missing module hardening')\n")
    with pytest.raises(PackStartError, match="missing module hardening"):
        PolicyPackServer(tmp_path, start_timeout=20).start()


def test_closing_stops_the_pack_process():
    pack = PolicyPackServer(PACK_DIR)
    pack.start()
    process = pack._process
    pack.close()
    assert process.poll() is not None
