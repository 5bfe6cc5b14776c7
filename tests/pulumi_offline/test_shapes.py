"""Inputs checked against the SDK's own types, as the provider's Check would: each class of
problem from a small program, next to its compliant twin, and none from this repository."""

from __future__ import annotations

import time
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from pulumi_offline import shapes
from pulumi_offline.__main__ import parser
from pulumi_offline.check import check, exit_status, text
from pulumi_offline.program import run
from tests.pulumi_offline.conftest import FIXTURES


def _problems(program) -> list[tuple[str, str, str]]:
    return [(p.name, p.problem.path, p.problem.kind) for p in shapes.check_graph(run(program))]


def _untyped(value: Any) -> Any:
    """A value the type checker lets through, as Python lets it through at run time."""
    return value


def _group(name: str, **rule: Any) -> None:
    ingress = [{"protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"], **rule}]
    aws.ec2.SecurityGroup(name, vpc_id="vpc-1", ingress=_untyped(ingress))


def test_this_repositorys_stacks_fit_the_sdks_types(staging, prod):
    for graph in (staging, prod):
        assert shapes.check_graph(graph) == []
    # The check looked: every type of the stack resolves to its SDK's arguments.
    custom = {r.type for r in prod if r.custom and not r.type.startswith("pulumi:")}
    assert {t for t in custom if shapes.args_class(t) is None} == set()


def test_an_unknown_nested_key_is_named_with_its_path_and_the_likely_one():
    assert _problems(lambda: _group("bad", from_prt=443, to_port=443, from_port=443)) == [
        ("bad", "ingress[0].from_prt", "unknown property")
    ]
    (problem,) = shapes.check_graph(run(lambda: _group("bad", from_prt=443, to_port=443, from_port=443)))
    assert "did you mean 'fromPort'?" in problem.problem.message
    assert _problems(lambda: _group("good", from_port=443, to_port=443)) == []


def test_an_unknown_top_level_key_is_found_too():
    def generic(key: str):
        def program():
            pulumi.CustomResource("aws:s3/bucketPolicy:BucketPolicy", "p", {"bucket": "b", key: "{}"})

        return program

    assert _problems(generic("polcy")) == [
        ("p", "polcy", "unknown property"),
        ("p", "policy", "missing required property"),
    ]
    assert _problems(generic("policy")) == []


def test_a_missing_required_nested_field_is_found():
    assert _problems(lambda: _group("bad", to_port=443)) == [
        ("bad", "ingress[0].fromPort", "missing required property")
    ]
    assert _problems(lambda: _group("good", from_port=443, to_port=443)) == []


def test_wrong_scalar_types_are_found_where_the_provider_could_not_read_them():
    def listener(port):
        def program():
            aws.lb.Listener("l", load_balancer_arn="arn:aws:elasticloadbalancing:::lb", port=port, default_actions=[
                {"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "404"}}
            ])  # fmt: skip

        return program

    assert _problems(listener(True)) == [("l", "port", "wrong type")]
    assert _problems(listener("https")) == [("l", "port", "wrong type")]
    # The bridge reads numeric strings as numbers, as it does.
    assert _problems(listener("443")) == [] == _problems(listener(443))


def test_a_list_where_an_object_belongs_is_a_wrong_type():
    def program(versioning):
        # The SDK's own constructor refuses this shape; a generic resource gets it through.
        pulumi.CustomResource(
            "aws:s3/bucketVersioning:BucketVersioning", "v", {"bucket": "b", "versioningConfiguration": versioning}
        )

    assert _problems(lambda: program([{"status": "Enabled"}])) == [("v", "versioningConfiguration", "wrong type")]
    assert _problems(lambda: program({"status": "Enabled"})) == []


def test_unknowns_secrets_and_outputs_raise_no_false_findings():
    def program():
        password = random.RandomPassword("pw", length=20)
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        port = vpc.id.apply(lambda _: 443)
        rule = {"protocol": "tcp", "from_port": port, "to_port": 443, "cidr_blocks": [vpc.cidr_block]}
        aws.ec2.SecurityGroup("sg", vpc_id=vpc.id, ingress=_untyped([rule]), tags={"secret": password.result})
        aws.secretsmanager.SecretVersion("v", secret_id="s", secret_string=pulumi.Output.secret("x"))

    assert _problems(program) == []

    wrapped = {"ingress": [{"protocol": "tcp", "fromPort": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "toPort": 1}]}
    assert shapes.check_inputs("aws:ec2/securityGroup:SecurityGroup", wrapped) == []


def test_types_no_installed_sdk_declares_are_not_checked():
    assert shapes.check_inputs("example:index:Thing", {"anything": 1}) == []
    assert shapes.check_inputs("pulumi:providers:aws", {"region": 1}) == []


def test_types_are_read_once_and_the_stack_checks_in_well_under_a_second(prod):
    shapes.check_graph(prod)
    before = shapes.properties.cache_info()
    started = time.perf_counter()
    shapes.check_graph(prod)
    elapsed = time.perf_counter() - started
    after = shapes.properties.cache_info()
    assert after.misses == before.misses and after.hits > before.hits
    assert elapsed < 1.0  # ~0.02 s for its 300 resources on an idle machine


def test_check_reports_input_problems_and_fails_on_them_only_when_asked():
    report = check(FIXTURES / "lookups", None, str(FIXTURES / "quiet-pack"))
    assert (exit_status(report), exit_status(report, strict_inputs=True)) == (0, 1)
    problems = text(report).split("Input problems (2; the SDK's types, as the provider's Check would see them):\n", 1)[
        1
    ]
    assert problems.splitlines() == [
        "  aws:ec2/securityGroup:SecurityGroup  web  ingress[0].to_prt: an unexpected argument 'to_prt' was provided;"
        " did you mean 'toPort'?  (__main__.py:17)",
        "  aws:ec2/securityGroup:SecurityGroup  web  ingress[0].toPort: the argument 'toPort' is required"
        "  (__main__.py:17)",
    ]
    assert parser().parse_args(["check", "--strict-inputs"]).strict_inputs is True
