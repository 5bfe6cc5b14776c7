"""The recording mock engine itself: what tests and the offline preview stand on."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest

from pulumi_offline.mocks import UnexpectedInvokeError
from pulumi_offline.program import Secret, run


def test_an_unexpected_data_source_call_fails_loudly_and_names_itself():
    def program():
        instance = aws.ec2.get_instance(instance_id="i-0123456789abcdef0")
        aws.ec2.Eip("ip", instance=instance.id, domain="vpc")

    with pytest.raises(UnexpectedInvokeError, match="it has no offline answer") as info:
        run(program)
    assert "aws:ec2/getInstance:getInstance" in str(info.value)


def test_outputs_carry_the_region_and_account_of_the_resources_provider():
    def program():
        dr = aws.Provider("dr", region="us-west-2", allowed_account_ids=["210987654321"])
        aws.kms.Key("primary")
        aws.kms.Key("dr-key", opts=pulumi.ResourceOptions(provider=dr))

    graph = run(program)
    assert graph.named("primary").outputs["arn"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert graph.named("dr-key").outputs["arn"].startswith("arn:aws:kms:us-west-2:210987654321:key/")


def test_additional_secret_outputs_stay_secret_downstream():
    def program():
        password = random.RandomPassword("pw", length=24, special=False)
        aws.secretsmanager.SecretVersion("v", secret_id="s", secret_string=password.result)

    graph = run(program)
    assert isinstance(graph.named("pw").outputs["result"], Secret)
    assert graph.named("v").secret_inputs == {"secretString"}
    assert len(graph.named("v").inputs["secretString"]) == 24


def test_the_engine_sees_exactly_one_root_stack_and_real_parent_chains():
    class Box(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("fixture:box:Box", name, None, None)
            aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))

    graph = run(lambda: Box("outer"))
    assert [r.type for r in graph].count("pulumi:pulumi:Stack") == 1
    assert graph.named("outer-bucket").urn == (
        "urn:pulumi:test::fixture::fixture:box:Box$aws:s3/bucket:Bucket::outer-bucket"
    )
