"""How the offline preview and check scale: synthetic programs of N resources, timed.

    python pulumi-offline/scripts/benchmark.py [--resources 400 4000] [--runs 3] [--in-process] [--sdk-floor]
    python pulumi-offline/scripts/benchmark.py --stack prod [--runs 5]

Each program is N registrations in units of ten (a component holding a KMS key, a bucket with
its encryption, versioning and public-access block, a log group, a security group, an SNS topic
and an SQS queue, wired to each other as real stacks are). Each run is a fresh `pulumi-offline`
process, as CI runs it; `check` uses this repository's policy pack. Prints the median wall time
per size, the CPU time of the tool and the processes it starts (the program's interpreter, the
policy pack: on a busy machine a steadier figure than the wall time), and the ratio between the
largest and smallest size (linear: the ratio of sizes).

`--stack S` times this repository's own stack S instead (its own pack's config applies).
`--sdk-floor` adds what the program alone costs: the same program in one process under the
SDK's own unit-test mocks (`pulumi.runtime.set_mocks`, answering every resource at once), with
the tool's two SDK speed-ups (linear end-of-program wait, cheap source positions) and its
collector setting — no engine, no gRPC, no tool. No offline preview can be faster than that.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UNIT = 10

PROGRAM = '''"""A synthetic program for the offline tool's benchmark: N resources in units of ten."""

import pulumi
import pulumi_aws as aws


HTTPS = [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"], "description": "https"}]


class Unit(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("bench:index:Unit", name)
        child = pulumi.ResourceOptions(parent=self)
        key = aws.kms.Key(f"{name}-key", enable_key_rotation=True, deletion_window_in_days=30, opts=child)
        bucket = aws.s3.Bucket(f"{name}-bucket", tags={"unit": name}, opts=child)
        sse = {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": sse}],
            opts=child,
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=child
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-pab",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.cloudwatch.LogGroup(f"{name}-logs", retention_in_days=365, kms_key_id=key.arn, opts=child)
        aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id="vpc-0123456789abcdef0",
            description=f"{name} service",
            ingress=HTTPS,
            egress=HTTPS,
            opts=child,
        )
        aws.sns.Topic(f"{name}-topic", kms_master_key_id=key.id, opts=child)
        aws.sqs.Queue(f"{name}-queue", kms_master_key_id=key.id, message_retention_seconds=1209600, opts=child)
        self.register_outputs({"bucket": bucket.id})


units = int(pulumi.Config().require("units"))
for number in range(units):
    Unit(f"unit{number:05d}")
'''


FLOOR = """
import runpy, sys
from pathlib import Path
import pulumi
from pulumi_offline.program import collect_rarely
from pulumi_offline.quiescence import linear_wait
from pulumi_offline.sourcepos import fast_source_positions

collect_rarely()

class Echo(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return [f"{args.name}-id", dict(args.inputs)]

    def call(self, args):
        return {}

pulumi.log.debug = lambda *_args, **_kwargs: None
pulumi.runtime.set_mocks(Echo(), project="bench", stack="dev", preview=True)
pulumi.runtime.set_all_config({"bench:units": sys.argv[1]})

@pulumi.runtime.test
def program():
    runpy.run_path(str(Path(sys.argv[2]) / "__main__.py"))
    return pulumi.Output.from_input(None)

with linear_wait(), fast_source_positions():
    program()
"""


def write_program(directory: Path, resources: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text(
        f"config:\n  aws:region: eu-west-1\n  bench:units: {resources // UNIT}\n"
    )
    (directory / "__main__.py").write_text(PROGRAM)
    return directory


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and every process it started) of
    `python ARGV…`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):  # `check` exits 1 on a mandatory violation: a complete run
        sys.exit(f"python {' '.join(argv)} failed:\n{result.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _row(label: str, name: str, runs: list[tuple[float, float]]) -> float:
    """Print one table row; the median wall time."""
    walls = [wall for wall, _ in runs]
    median = statistics.median(walls)
    cpu = statistics.median(cpu for _, cpu in runs)
    print(f"| {label} | `{name}` | {min(walls):.2f} | {median:.2f} | {max(walls):.2f} | {cpu:.2f} |")
    return median


def main() -> None:
    options = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    options.add_argument("--resources", type=int, nargs="+", default=[400, 4000])
    options.add_argument("--stack", help="time this repository's stack STACK instead of synthetic programs")
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--in-process", action="store_true", help="run the programs inside the tool")
    options.add_argument("--sdk-floor", action="store_true", help="also time the program alone under the SDK's mocks")
    args = options.parse_args()

    where = ["--in-process"] if args.in_process else ["--python", sys.executable]
    tool = ["-m", "pulumi_offline"]
    pack = ["--policy-pack", str(REPO / "policies")]
    print("| resources | command | wall min | wall median | wall max | CPU median |")
    print("|---|---|---|---|---|---|")
    if args.stack:
        target = ["--program", str(REPO), "--stack", args.stack, *where]
        for name, argv in {"preview": [*tool, "preview", *target], "check": [*tool, "check", *target, *pack]}.items():
            _row(f"{args.stack} stack", name, [timed(argv) for _ in range(args.runs)])
        return
    medians: dict[str, dict[int, float]] = {name: {} for name in ("sdk-floor", "preview", "check")}
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.resources:
            program = str(write_program(Path(scratch) / f"bench-{size}", size))
            commands = {
                "preview": [*tool, "preview", "--program", program, *where],
                "check": [*tool, "check", "--program", program, *where, *pack],
            }
            if args.sdk_floor:
                commands = {"sdk-floor": ["-c", FLOOR, str(size // UNIT), program], **commands}
            for name, argv in commands.items():
                medians[name][size] = _row(str(size), name, [timed(argv) for _ in range(args.runs)])
    small, large = min(args.resources), max(args.resources)
    if small != large:
        print()
        for name, by_size in medians.items():
            if by_size:
                print(f"{name}: {large / small:.0f}x the resources, {by_size[large] / by_size[small]:.1f}x the time")


if __name__ == "__main__":
    main()
