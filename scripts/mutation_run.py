"""Mutation run: plant realistic one-line bugs, one at a time, and see whether the tests notice.

Each mutation replaces one snippet of one file (the components, the policy pack, the offline
tool, the workflows) with a plausible mistake, in a scratch copy of the repository, then runs
only the test files that cover that code with `pytest -x -q`. A mutation is *killed* when those
tests fail, *survives* when they pass, and is reported as *snippet not found* when the code has
moved on (update its entry). Not part of CI: a full run takes 15-30 minutes.

    .venv/bin/python scripts/mutation_run.py                # every mutation
    .venv/bin/python scripts/mutation_run.py -k waf -k sarif  # those whose id contains a word
    .venv/bin/python scripts/mutation_run.py --list

The copy imports its own `pulumi_offline` and `hardening` (PYTHONPATH comes before the editable
installs), so the working tree is never modified.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Test files per area (paths relative to the repository root).
ALARMS = ("tests/components/observability", "tests/components/test_config_reaches_graph.py")
CONFIG = ("tests/components/test_config.py", "tests/components/test_config_reaches_graph.py")
NETWORK = ("tests/components/foundation", "tests/components/test_config_reaches_graph.py")
BASELINE = ("tests/components/test_baseline.py", "tests/components/test_config_reaches_graph.py")
EDGE = ("tests/components/edge", "tests/components/test_config_reaches_graph.py", "tests/components/test_baseline.py")
COMPUTE = ("tests/components/compute", "tests/components/edge", "tests/components/test_config_reaches_graph.py")
DATA = ("tests/components/data", "tests/components/test_config_reaches_graph.py")
PACK = ("tests/policies",)
TOOL = ("tests/pulumi_offline",)
CI = ("tests/ci",)


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str
    original: str
    mutated: str
    description: str
    tests: tuple[str, ...]


M = Mutation
MUTATIONS = [
    # -- observability: alarm semantics (OBS-1) --
    M(
        "alarm-5xx-rate-not-percent",
        "components/observability/alarms/environment_alarms.py",
        '"100 * (FILL(target, 0) + FILL(elb, 0)) / requests, 0)"',
        '"(FILL(target, 0) + FILL(elb, 0)) / requests, 0)"',
        "the 5xx rate loses its * 100 (a fraction compared with a percentage)",
        ALARMS,
    ),
    M(
        "alarm-5xx-rate-no-fill",
        "components/observability/alarms/environment_alarms.py",
        '"100 * (FILL(target, 0) + FILL(elb, 0)) / requests, 0)"',
        '"100 * (target + elb) / requests, 0)"',
        "5xx counts not filled: a minute without ELB 5xx yields no datapoint",
        ALARMS,
    ),
    M(
        "alarm-5xx-min-requests-strict",
        "components/observability/alarms/environment_alarms.py",
        'f"IF(requests >= {th.error_rate_min_requests_per_minute}, "',
        'f"IF(requests > {th.error_rate_min_requests_per_minute}, "',
        "the minimum request count is excluded from rating",
        ALARMS,
    ),
    M(
        "alarm-fast-window-24h",
        "components/observability/alarms/factory.py",
        "FAST = Window(60, 2, 2)",
        "FAST = Window(86400, 1, 1)",
        "outage alarms wait 24 h instead of 2 min",
        ALARMS,
    ),
    M(
        "alarm-sustained-window-5-minute-periods",
        "components/observability/alarms/factory.py",
        "SUSTAINED = Window(60, 5, 3)",
        "SUSTAINED = Window(300, 5, 3)",
        "error-rate and latency alarms need 15 bad minutes of 25",
        ALARMS,
    ),
    M(
        "alarm-db-latency-ms-not-seconds",
        "components/observability/alarms/data_stores.py",
        "th.db_latency_ms / 1000,",
        "th.db_latency_ms,",
        "RDS latency threshold in milliseconds against a metric in seconds",
        ALARMS,
    ),
    M(
        "alarm-alb-latency-ms-not-seconds",
        "components/observability/alarms/environment_alarms.py",
        "ms / 1000,",
        "ms,",
        "ALB latency threshold in milliseconds against a metric in seconds",
        ALARMS,
    ),
    M(
        "alarm-docdb-lag-seconds-not-ms",
        "components/observability/alarms/data_stores.py",
        "th.replica_lag_seconds * 1000,",
        "th.replica_lag_seconds,",
        "DocumentDB lag threshold in seconds against a metric in milliseconds",
        ALARMS,
    ),
    M(
        "alarm-disk-free-as-used",
        "components/observability/alarms/environment_alarms.py",
        "100 - th.app_disk_free_percent,",
        "th.app_disk_free_percent,",
        "free-disk percentage compared with disk_used_percent",
        ALARMS,
    ),
    M(
        "alarm-runbook-url-ignored",
        "components/observability/alarms/factory.py",
        'return f"{self._settings.runbook_url}#{anchor}"',
        'return f"docs/runbooks.md#{anchor}"',
        "alarms.runbook_url ignored",
        ALARMS,
    ),
    M(
        "alarm-staging-pages",
        "components/config/alarms.py",
        'return self.route_critical_to if severity == "critical" else "warning"',
        'return severity if severity == "critical" else "warning"',
        "staging's critical alarms page the on-call engineer",
        ALARMS,
    ),
    # -- foundation and network --
    M(
        "sg-app-egress-10-8",
        "components/foundation/security_groups.py",
        'self._egress(f"app-to-{store}", self.app, port, referenced=self.data[store])',
        'self._egress(f"app-to-{store}", self.app, port, cidr_ipv4="10.0.0.0/8")',
        "app egress to the data stores widened to 10.0.0.0/8",
        NETWORK,
    ),
    M(
        "sg-prefix-list-ignored",
        "components/foundation/security_groups.py",
        "prefix_list_id=cloudfront_prefix_list_id",
        'prefix_list_id="pl-3b927c52"',
        "edge.cloudfront_prefix_list_id ignored (us-east-1's list everywhere)",
        NETWORK,
    ),
    M(
        "flow-log-policy-every-group",
        "components/foundation/network.py",
        '"Resource": [self.flow_log_group.arn, pulumi.Output.concat(self.flow_log_group.arn, ":*")],',
        '"Resource": ["arn:aws:logs:*:*:*"],',
        "flow-log role may write to every log group",
        NETWORK,
    ),
    M(
        "network-subnets-ignored",
        "components/config/network.py",
        "        if self.subnets is not None:\n"
        "            return {t: list(getattr(self.subnets, t)) for t in SUBNET_TIERS}\n",
        "",
        "network.subnets validated, then ignored (computed CIDRs used)",
        CONFIG,
    ),
    M(
        "subnet-overlap-only-equal",
        "components/config/network.py",
        "if a.overlaps(b):",
        "if a == b:",
        "subnet overlap checked only for equal CIDRs",
        CONFIG,
    ),
    M(
        "nat-single-in-prod",
        "components/foundation/network.py",
        'nat_zones = zones if settings.nat_gateways == "one_per_az" else zones[:1]',
        "nat_zones = zones[:1]",
        "one NAT gateway whatever network.nat_gateways says",
        NETWORK,
    ),
    M(
        "extra-tags-ignored",
        "components/config/settings.py",
        "            **self.extra_tags,\n",
        "",
        "extra_tags ignored",
        BASELINE,
    ),
    M(
        "asg-tags-dropped",
        "components/environment.py",
        "            log_retention_days=edge.log_retention_days,\n            tags=settings.tags,\n",
        "            log_retention_days=edge.log_retention_days,\n            tags={},\n",
        "Auto Scaling groups and their instances lose the DEP-3 tags (provider default tags don't reach them)",
        BASELINE,
    ),
    M(
        "cdn-waf-regional-provider",
        "components/environment.py",
        "                logs_key=self.keys.global_logs,\n                opts=in_us_east_1,",
        "                logs_key=self.keys.global_logs,\n                opts=regional,",
        "CloudFront's web ACL on the primary-region provider (also us-east-1 here)",
        BASELINE,
    ),
    M(
        "kms-rotation-off",
        "components/foundation/keys.py",
        "enable_key_rotation=True,",
        "enable_key_rotation=False,",
        "customer-managed keys never rotate (DB-2)",
        BASELINE,
    ),
    M(
        "subnets-map-public-ips",
        "components/foundation/network.py",
        "map_public_ip_on_launch=False,",
        "map_public_ip_on_launch=True,",
        "instances landing in any subnet get a public address (HOST-4)",
        NETWORK,
    ),
    # -- edge --
    M(
        "waf-window-ignored",
        "components/edge/waf.py",
        "evaluation_window_sec=settings.rate_limit_window_seconds,",
        "evaluation_window_sec=60,",
        "edge.rate_limit_window_seconds ignored by WAF",
        EDGE,
    ),
    M(
        "waf-limit-per-minute",
        "components/config/edge.py",
        "return self.rate_limit_per_second * self.rate_limit_window_seconds",
        "return self.rate_limit_per_second * 60",
        "WAF limit computed for a 60 s window whatever the window",
        EDGE,
    ),
    M(
        "cors-origins-ignored",
        "components/edge/cdn.py",
        '[f"https://{domain}", *settings.cors_allowed_origins]',
        '[f"https://{domain}"]',
        "edge.cors_allowed_origins ignored",
        EDGE,
    ),
    M(
        "cdn-price-class-ignored",
        "components/edge/cdn.py",
        "price_class=settings.price_class,",
        'price_class="PriceClass_100",',
        "edge.price_class ignored",
        EDGE,
    ),
    M(
        "cdn-static-ttl-ignored",
        "components/edge/cdn.py",
        "default_ttl=settings.static_ttl_seconds,",
        "default_ttl=7 * 24 * 3600,",
        "edge.static_ttl_seconds ignored",
        EDGE,
    ),
    M(
        "cdn-api-cached",
        "components/edge/cdn.py",
        'CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"',
        'CACHING_DISABLED = "658327ea-f89d-4fab-a63d-7e88639e58f6"',
        "/api/* gets the managed CachingOptimized policy (API responses cached at the edge)",
        EDGE,
    ),
    # -- compute --
    M(
        "app-port-ignored",
        "components/compute/app_tier.py",
        "port=settings.app_port,",
        "port=3000,",
        "compute.app_port ignored by the boot script",
        COMPUTE,
    ),
    M(
        "imds-hop-limit-2",
        "components/compute/app_tier.py",
        'http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1',
        'http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=2',
        "containers can reach the instance's credentials (HOST-2)",
        COMPUTE,
    ),
    # -- data --
    M(
        "rotation-days-ignored",
        "components/data/rotation.py",
        "automatically_after_days=context.secrets.rotation_days",
        "automatically_after_days=90",
        "secrets.rotation_days ignored by the rotation function's schedules",
        DATA,
    ),
    M(
        "rds-rotation-days-ignored",
        "components/data/postgres.py",
        "automatically_after_days=context.secrets.rotation_days",
        "automatically_after_days=90",
        "secrets.rotation_days ignored by the RDS-managed secret",
        DATA,
    ),
    M(
        "slow-query-ms-ignored",
        "components/data/postgres.py",
        "value=str(settings.slow_query_ms)",
        'value="500"',
        "postgres.slow_query_ms ignored",
        DATA,
    ),
    # -- policy pack --
    M(
        "pack-ssh-range-not-checked",
        "policies/hardening/network.py",
        "return not self.icmp and self.from_port <= port <= self.to_port",
        "return not self.icmp and self.from_port == port",
        "an ingress range that spans port 22 (0-1024) is not seen as SSH",
        PACK,
    ),
    M(
        "pack-storage-encrypted-missing-passes",
        "policies/hardening/data.py",
        'if not flag(get(args.props, "storageEncrypted")):',
        'if get(args.props, "storageEncrypted") is False:',
        "a database without storageEncrypted at all passes SEC-1",
        PACK,
    ),
    M(
        "pack-prod-multi-az-advisory",
        "policies/config/prod.json",
        '"rds-instance-multi-az": "mandatory"',
        '"rds-instance-multi-az": "advisory"',
        "prod's policy config relaxes Multi-AZ",
        PACK,
    ),
    # -- offline tool --
    M(
        "sarif-advisory-level",
        "pulumi-offline/pulumi_offline/sarif.py",
        '"advisory": "warning"',
        '"advisory": "note"',
        "SARIF reports advisory findings as notes",
        TOOL,
    ),
    M(
        "sarif-mandatory-level",
        "pulumi-offline/pulumi_offline/sarif.py",
        '"mandatory": "error"',
        '"mandatory": "warning"',
        "SARIF reports mandatory findings as warnings (code scanning passes)",
        TOOL,
    ),
    M(
        "analyzer-mandatory-lost",
        "pulumi-offline/pulumi_offline/analyzer/results.py",
        'return self.enforcement_level == "mandatory"',
        'return self.enforcement_level == "MANDATORY"',
        "the analyzer stops reporting mandatory findings",
        (*TOOL, "tests/policies/test_repo_stacks.py"),
    ),
    M(
        "analyzer-all-overrides-policy",
        "pulumi-offline/pulumi_offline/analyzer/policy_config.py",
        'level = entry.pop("enforcementLevel", None) or everyone or policy.enforcement_level',
        'level = everyone or entry.pop("enforcementLevel", None) or policy.enforcement_level',
        "the policy config's `all` level overrides a policy's own level",
        (*TOOL, "tests/policies/test_pack_server.py"),
    ),
    M(
        "check-exit-zero",
        "pulumi-offline/pulumi_offline/check.py",
        "return 1 if report.mandatory or (strict_inputs and report.preview.input_problems) else 0",
        "return 1 if strict_inputs and report.preview.input_problems else 0",
        "`check` exits 0 on mandatory violations",
        TOOL,
    ),
    M(
        "engine-swallows-failed-apply",
        "pulumi-offline/pulumi_offline/quiescence.py",
        "                for task in done:\n                    await task\n",
        "                for task in done:\n                    task.exception()\n",
        "the offline engine swallows a failed apply",
        TOOL,
    ),
    M(
        "diff-replacement-as-update",
        "pulumi-offline/pulumi_offline/changes.py",
        'op = "replace" if reasons else "update" if paths or old_urn != new["urn"] else "same"',
        'op = "update" if paths or old_urn != new["urn"] else "same"',
        "the preview diff shows a replacement of stateful data as an in-place update",
        TOOL,
    ),
    # -- workflows --
    M(
        "deploy-loses-policy-config",
        ".github/workflows/pulumi-up.yml",
        "          policyPackConfigs: policies/config/${{ inputs.stack }}.json\n",
        "",
        "the deploy workflow runs the pack without its stack's policy config",
        CI,
    ),
]


# The test file each mutation should fail first: run ahead of the rest of its area, so a killed
# mutation costs one module, while a survivor still faces every test of the area.
SEMANTICS = "tests/components/observability/test_alarm_semantics.py"
REACHES = "tests/components/test_config_reaches_graph.py"
LEADS = {
    **dict.fromkeys([m.id for m in MUTATIONS if m.id.startswith("alarm-")], SEMANTICS),
    "alarm-runbook-url-ignored": REACHES,
    "alarm-staging-pages": "tests/components/observability/test_alarm_config.py",
    "network-subnets-ignored": "tests/components/test_config.py",
    "subnet-overlap-only-equal": "tests/components/test_config.py",
    "sg-app-egress-10-8": "tests/components/foundation/test_security_groups.py",
    "flow-log-policy-every-group": "tests/components/foundation/test_network.py",
    "nat-single-in-prod": "tests/components/foundation/test_network.py",
    "subnets-map-public-ips": "tests/components/foundation/test_network.py",
    "asg-tags-dropped": "tests/components/test_baseline.py",
    "cdn-waf-regional-provider": "tests/components/test_baseline.py",
    "kms-rotation-off": "tests/components/test_baseline.py",
    "cdn-api-cached": "tests/components/edge/test_cdn.py",
    "imds-hop-limit-2": "tests/components/compute/test_app_tier.py",
    "pack-ssh-range-not-checked": "tests/policies/test_network_policies.py",
    "pack-storage-encrypted-missing-passes": "tests/policies/test_data_policies.py",
    "pack-prod-multi-az-advisory": "tests/policies/test_pack_server.py",
    "analyzer-all-overrides-policy": "tests/policies/test_pack_server.py",
    "engine-swallows-failed-apply": "tests/pulumi_offline/test_engine.py",
    "diff-replacement-as-update": "tests/pulumi_offline/test_changes.py",
    **dict.fromkeys(
        ["sarif-advisory-level", "sarif-mandatory-level", "analyzer-mandatory-lost", "check-exit-zero"],
        "tests/pulumi_offline/test_check.py",
    ),
}


def _tests(mutation: Mutation) -> list[str]:
    """The mutation's test files, its lead first; config keys lead with the tuned-run tests."""
    lead = LEADS.get(mutation.id, REACHES if REACHES in mutation.tests else mutation.tests[0])
    return list(dict.fromkeys([lead, *mutation.tests]))


def _copy_tree(destination: Path) -> None:
    """The repository's tracked and untracked (not ignored) files, as they are in the tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _python(tree: Path, *args: str) -> subprocess.CompletedProcess:
    """This interpreter in the scratch copy, importing the copy's program, tool and pack."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(tree / p) for p in ("", "pulumi-offline", "policies")),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True)


def run(mutations: list[Mutation]) -> int:
    results: list[tuple[Mutation, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="mutation-run-") as scratch:
        tree = Path(scratch)
        _copy_tree(tree)
        # The copy must import its own code, and its tests must pass before anything is planted.
        probe = _python(
            tree, "-c", "import pulumi_offline, hardening; print(pulumi_offline.__file__, hardening.__file__)"
        )
        if probe.returncode or not all(path.startswith(str(tree)) for path in probe.stdout.split()):
            sys.exit(f"the scratch copy does not import its own packages: {probe.stdout}{probe.stderr}")
        for mutation in mutations:
            path = tree / mutation.file
            original = path.read_text() if path.is_file() else ""
            count = original.count(mutation.original)
            if count != 1:
                status = "snippet not found" if count == 0 else f"snippet found {count} times"
                results.append((mutation, status, 0.0))
                print(f"{status:>18}  {mutation.id}  ({mutation.file})", flush=True)
                continue
            path.write_text(original.replace(mutation.original, mutation.mutated))
            started = time.monotonic()
            try:
                outcome = _python(
                    tree, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider", *_tests(mutation)
                )
            finally:
                path.write_text(original)
            elapsed = time.monotonic() - started
            status = "killed" if outcome.returncode == 1 else "survived" if outcome.returncode == 0 else "error"
            if status == "error":
                print(outcome.stdout[-2000:], outcome.stderr[-2000:], sep="\n")
            results.append((mutation, status, elapsed))
            print(f"{status:>18}  {mutation.id}  ({elapsed:.0f} s): {mutation.description}", flush=True)

    applied = [r for r in results if r[1] in ("killed", "survived", "error")]
    killed = [r for r in applied if r[1] == "killed"]
    print()
    for mutation, status, _ in results:
        if status != "killed":
            print(f"{status}: {mutation.id} in {mutation.file}: {mutation.description}")
    score = 100 * len(killed) / len(applied) if applied else 0.0
    skipped = len(results) - len(applied)
    print(f"\n{len(killed)} of {len(applied)} mutations killed ({score:.0f}%); {skipped} not applied")
    return 0 if len(killed) == len(applied) == len(results) else 1


def main(argv: list[str] | None = None) -> int:
    # `kill` ends the run like Ctrl-C: the current pytest stops and the scratch copy is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description="Plant one-line bugs one at a time; report which the tests notice.")
    parser.add_argument("-k", action="append", default=[], help="run mutations whose id contains this (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.k or any(word in m.id for word in args.k)]
    if args.list:
        for m in chosen:
            print(f"{m.id:40} {m.file}: {m.description}")
        return 0
    return run(chosen)


if __name__ == "__main__":
    sys.exit(main())
