"""Provider functions answered offline: consistent with the stack's region and account, the
user's answers file first, every answer listed, and a call nothing answers either unknown
(the Output form) or a clear error naming the program's line and the entry that fixes it."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from pulumi_offline import datasources
from pulumi_offline.datasources import AnswersFileError, UnansweredInvokeError, load_answers
from pulumi_offline.datasources import aws as aws_answers
from pulumi_offline.program import UNKNOWN, run
from tests.pulumi_offline.conftest import FIXTURES, run_cli


def _served(program_fn, answers=None, **run_options):
    with datasources.serving(answers) as session:
        graph = run(program_fn, **run_options)
    return graph, session.served


def test_answers_follow_the_stacks_region_and_the_providers_region_and_account():
    def lookups():
        zones = aws.get_availability_zones(state="available")
        region = aws.get_region()
        identity = aws.get_caller_identity()
        elb = aws.elb.get_service_account()
        pulumi.export("zones", zones.names)
        pulumi.export("zone_ids", zones.zone_ids)
        pulumi.export("region", region.region)
        pulumi.export("account", identity.account_id)
        pulumi.export("elb", elb.arn)
        dr = aws.Provider("dr", region="us-west-2", allowed_account_ids=["210987654321"])
        far = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=dr))
        pulumi.export("dr_account", far.account_id)
        pulumi.export("dr_partition", aws.get_partition(opts=pulumi.InvokeOptions(provider=dr)).dns_suffix)
        pulumi.export("dr_zones", aws.get_availability_zones_output(opts=pulumi.InvokeOutputOptions(provider=dr)).names)

    graph, served = _served(lookups, config={"aws:region": "eu-west-1"})
    assert graph.outputs["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert graph.outputs["zone_ids"] == ["euw1-az1", "euw1-az2", "euw1-az3"]
    assert graph.outputs["region"] == "eu-west-1"
    assert graph.outputs["account"] == "123456789012"
    # Elastic Load Balancing's own log-delivery account in eu-west-1 (AWS documents it).
    assert graph.outputs["elb"] == "arn:aws:iam::156460612806:root"
    assert graph.outputs["dr_account"] == "210987654321"
    assert graph.outputs["dr_partition"] == "amazonaws.com"
    assert graph.outputs["dr_zones"] == ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]
    assert [s.source for s in served] == ["placeholder"] * 7
    assert served[0].as_dict() == {
        "function": "aws:index/getAvailabilityZones:getAvailabilityZones",
        "arguments": 'state="available"',
        "source": "placeholder",
    }


def test_default_vpc_subnets_and_their_look_ups_agree():
    def network():
        vpc = aws.ec2.get_vpc(default=True)
        ids = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}]).ids
        first = aws.ec2.get_subnet(id=ids[0])
        pulumi.export("vpc", [vpc.id, vpc.cidr_block, vpc.default])
        pulumi.export("ids", ids)
        pulumi.export("first", [first.vpc_id, first.availability_zone, first.cidr_block, first.default_for_az])
        aws.ec2.SecurityGroup("web", vpc_id=vpc.id)

    graph, _ = _served(network)
    vpc_id, cidr, default = graph.outputs["vpc"]
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc_id) and (cidr, default) == ("172.31.0.0/16", True)
    assert len(graph.outputs["ids"]) == 6  # us-east-1 offers six zones
    assert graph.outputs["first"] == [vpc_id, "us-east-1a", "172.31.0.0/20", True]
    assert graph.named("web").inputs["vpcId"] == vpc_id


def test_public_ssm_parameters_name_amis_and_the_accounts_own_are_not_guessed():
    def amis():
        path = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        pulumi.export("ssm", aws.ssm.get_parameter(name=path).value)
        image = aws.ec2.get_ami(
            most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-ami-*"]}]
        )
        pulumi.export("ami", [image.id, image.owner_id, image.architecture])

    graph, _ = _served(amis)
    assert re.fullmatch(r"ami-[0-9a-f]{17}", graph.outputs["ssm"])
    ami_id, owner, architecture = graph.outputs["ami"]
    assert re.fullmatch(r"ami-[0-9a-f]{17}", ami_id) and (owner, architecture) == ("137112412989", "x86_64")

    def own_parameter():
        aws.ssm.get_parameter(name="/myapp/database/url")

    with pytest.raises(UnansweredInvokeError, match="/myapp/database/url"):
        run(own_parameter)


def test_an_answers_file_overrides_the_defaults_matching_on_a_subset_of_the_arguments(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        """
aws:ec2/getAmi:getAmi:
  - args: {owners: ["099720109477"], mostRecent: true}
    result: {id: ami-0ubuntu, architecture: arm64}
  - result: {id: ami-0anything}
aws:route53/getZone:getZone:
  result: {zoneId: Z0REALZONE, name: example.org}
"""
    )

    def lookups():
        pulumi.export("ubuntu", aws.ec2.get_ami(owners=["099720109477"], most_recent=True, name_regex="^ubuntu").id)
        pulumi.export("other", aws.ec2.get_ami(owners=["amazon"]).id)
        pulumi.export("zone", aws.route53.get_zone_output(name="example.org").zone_id)
        pulumi.export("partition", aws.get_partition().partition)

    graph, served = _served(lookups, answers)
    assert graph.outputs == {
        "ubuntu": "ami-0ubuntu",
        "other": "ami-0anything",
        "zone": "Z0REALZONE",
        "partition": "aws",
    }
    assert sorted((s.token.split(":")[-1], s.source) for s in served) == [
        ("getAmi", "answers file"),
        ("getAmi", "answers file"),
        ("getPartition", "placeholder"),
        ("getZone", "answers file"),
    ]


def test_a_plain_call_nothing_answers_names_the_programs_line_and_the_entry_that_fixes_it(tmp_path):
    def lookup():
        aws.ec2.get_instance(instance_id="i-0123456789abcdef0")

    line = inspect.getsourcelines(lookup)[1] + 1
    with pytest.raises(UnansweredInvokeError) as info:
        run(lookup)
    message = str(info.value)
    assert f"'aws:ec2/getInstance:getInstance' at {__file__}:{line};" in message

    # The printed entry, pasted into an answers file, answers the call.
    entry = message.split("for example:\n", 1)[1].replace("<fill in>", "i-0123456789abcdef0")
    answers = tmp_path / "answers.yaml"
    answers.write_text(entry)
    assert yaml.safe_load(entry)["aws:ec2/getInstance:getInstance"][0]["args"] == {"instanceId": "i-0123456789abcdef0"}
    _, served = _served(lookup, answers)
    assert [s.source for s in served] == ["answers file"]


def test_an_output_form_call_nothing_answers_is_unknown():
    """The engine answers it as the real one answers a look-up it cannot make: wholly unknown."""

    def lookup():
        instance = aws.ec2.get_instance_output(instance_id="i-0123456789abcdef0")
        aws.ec2.Eip("ip", instance=instance.id, domain="vpc")

    graph, served = _served(lookup)
    assert graph.named("ip").inputs["instance"] is UNKNOWN
    assert [(s.token, s.source) for s in served] == [("aws:ec2/getInstance:getInstance", "unknown")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- not a mapping", "expected a mapping of function tokens"),
        ("getAmi: {result: {}}", "'getAmi' is not a function token"),
        ("aws:ec2/getAmi:getAmi: [{args: {}}]", r"aws:ec2/getAmi:getAmi\[0\]: expected a mapping with 'result'"),
        ("aws:ec2/getAmi:getAmi: {result: {}, arg: {}}", r"unknown key\(s\) arg"),
        ("aws:ec2/getAmi:getAmi: {result: {id: [}", "not valid YAML or JSON"),
    ],
)
def test_a_malformed_answers_file_is_refused_naming_the_place(tmp_path, text, problem):
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    with pytest.raises(AnswersFileError, match=problem) as info:
        load_answers(path)
    assert str(path) in str(info.value)


def test_json_answers_files_are_read_too(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"aws:index/getRegion:getRegion": {"result": {"region": "eu-north-1"}}}))
    assert load_answers(path).lookup("aws:index/getRegion:getRegion", {}) == {"region": "eu-north-1"}


def test_preview_lists_every_answer_with_where_it_came_from(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("aws:index/getCallerIdentity:getCallerIdentity:\n  result: {accountId: '111122223333'}\n")
    digest = tmp_path / "digest.json"
    status, out, err = run_cli(
        "preview", "--program", str(FIXTURES / "lookups"), "--answers", str(answers), "--json", str(digest)
    )
    assert (status, err) == (0, "")
    listing = out.split("Data sources answered offline (4; not looked up in any account):\n", 1)[1]
    assert listing.splitlines()[:4] == [
        "  placeholder   aws:ec2/getVpc:getVpc(default=true)",
        '  placeholder   aws:ec2/getAmi:getAmi(filters=[{"name":"name","values":["al2023-ami-*"]}],'
        ' mostRecent=true, owners=["amazon"])',
        "  answers file  aws:index/getCallerIdentity:getCallerIdentity()",
        "  computed      aws:iam/getPolicyDocument:getPolicyDocument(1 statement(s))",
    ]
    meta = json.loads(digest.read_text())["offline"]
    assert [s["source"] for s in meta["dataSources"]] == ["placeholder", "placeholder", "answers file", "computed"]


def test_a_bad_answers_file_stops_the_command_with_its_problem(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("getAmi: {result: {}}\n")
    status, _, err = run_cli("preview", "--program", str(FIXTURES / "lookups"), "--answers", str(answers))
    assert status == 2
    assert f"error: {answers}: 'getAmi' is not a function token" in err


def _ask(function: str, args: dict[str, Any], region: str, account: str = "123456789012") -> dict[str, Any]:
    answer = aws_answers.PLACEHOLDERS[function](args, region, account)
    assert answer is not None, f"{function} has no answer for {args} in {region}"
    return answer


def test_public_facts_are_the_real_ones_and_owned_things_are_marked_placeholders():
    cloudfront = _ask(
        "aws:ec2/getManagedPrefixList:getManagedPrefixList",
        {"name": "com.amazonaws.global.cloudfront.origin-facing"},
        "eu-west-1",
    )
    assert (cloudfront["ownerId"], cloudfront["addressFamily"], cloudfront["maxEntries"]) == ("AWS", "IPv4", 55)
    assert re.fullmatch(r"arn:aws:ec2:eu-west-1:aws:prefix-list/pl-[0-9a-f]{8}", cloudfront["arn"])

    trail = _ask("aws:cloudtrail/getServiceAccount:getServiceAccount", {}, "us-gov-west-1")
    assert trail == {"id": "608710470296", "region": "us-gov-west-1", "arn": "arn:aws-us-gov:iam::608710470296:root"}
    # Regions opened since 2022 have no ELB account: AWS names a service principal instead.
    elb = aws_answers.PLACEHOLDERS["aws:elb/getServiceAccount:getServiceAccount"]
    assert elb({}, "ap-south-2", "123456789012") is None

    china = _ask("aws:index/getPartition:getPartition", {}, "cn-north-1")
    assert (china["partition"], china["dnsSuffix"]) == ("aws-cn", "amazonaws.com.cn")

    zone = _ask("aws:route53/getZone:getZone", {"name": "example.com."}, "us-east-1")
    assert zone["name"] == "example.com" and re.fullmatch(r"Z[0-9A-F]{17}", zone["zoneId"])
    assert zone["comment"].startswith("offline placeholder")

    registry = _ask("aws:ecr/getCredentials:getCredentials", {"registryId": "210987654321"}, "eu-west-1")
    assert registry["proxyEndpoint"] == "https://210987654321.dkr.ecr.eu-west-1.amazonaws.com"
    assert registry["password"].startswith("offline-placeholder-")


def test_get_ami_answers_most_recent_as_the_bool_the_provider_returns():
    """pulumi/examples' ECS program passes most_recent="true"; the provider coerces it, and the
    SDK's result type accepts only a bool."""

    def program():
        image = aws.ec2.get_ami(most_recent="true", owners=["amazon"])  # type: ignore[arg-type]
        aws.ec2.Instance("web", ami=image.id, instance_type="t3.micro")

    assert run(program).named("web").inputs["ami"].startswith("ami-")
