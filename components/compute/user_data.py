"""The boot script of an application instance: CloudWatch agent, Docker, secrets, the container.

It holds no secret (SEC-1): it names secrets by ARN and fetches their values at boot with the
instance role, into a root-only file on tmpfs that only `docker run` reads.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections.abc import Mapping

# Memory and root-disk use per Auto Scaling group, for the OBS-1 memory/disk alarms.
CLOUDWATCH_AGENT_CONFIG = {
    "agent": {"metrics_collection_interval": 60},
    "metrics": {
        "namespace": "CWAgent",
        "append_dimensions": {"AutoScalingGroupName": "${aws:AutoScalingGroupName}", "InstanceId": "${aws:InstanceId}"},
        "aggregation_dimensions": [["AutoScalingGroupName"]],
        "metrics_collected": {
            "mem": {"measurement": ["mem_used_percent"]},
            "disk": {"measurement": ["used_percent"], "resources": ["/"], "drop_device": True},
        },
    },
}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
AGENT_CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"

TEMPLATE = """#!/bin/bash
# Application instance boot script (components/user_data.py). Holds no secret values.
set -euo pipefail

dnf install -y docker amazon-cloudwatch-agent
cat > {agent_config_path} <<'JSON'
{agent_config}
JSON
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:{agent_config_path}
systemctl enable --now docker

region={region}
image={image}
registry="${{image%%/*}}"
if [[ "$registry" == *.dkr.ecr.*.amazonaws.com ]]; then
  aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
fi

# Secrets Manager values, fetched now with the instance role into a root-only tmpfs file.
install -d -m 0700 /run/app
env_file=/run/app/secrets.env
install -m 0600 /dev/null "$env_file"
fetch_secret() {{
  printf '%s=%s\\n' "$1" "$(aws secretsmanager get-secret-value --region "$region" --secret-id "$2" \\
    --query SecretString --output text)" >> "$env_file"
}}
{fetches}

docker run --detach --name app --restart always \\
  --env-file "$env_file" --env PORT={port} --publish {port}:{port} \\
  --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \\
  --log-driver awslogs --log-opt awslogs-region="$region" --log-opt awslogs-group={log_group} \\
  "$image"
"""


def render(*, region: str, image: str, port: int, log_group: str, secret_arns: Mapping[str, str]) -> str:
    """The boot script; `secret_arns` maps the container's environment variable to a secret ARN."""
    bad = [name for name in secret_arns if not ENV_NAME.match(name)]
    if bad:
        raise ValueError(f"secret environment variable names {bad} must be UPPER_SNAKE_CASE")
    fetches = "\n".join(f"fetch_secret {name} {shlex.quote(arn)}" for name, arn in sorted(secret_arns.items()))
    return TEMPLATE.format(
        agent_config_path=AGENT_CONFIG_PATH,
        agent_config=json.dumps(CLOUDWATCH_AGENT_CONFIG, indent=2),
        region=shlex.quote(region),
        image=shlex.quote(image),
        port=port,
        log_group=shlex.quote(log_group),
        fetches=fetches or ":",
    )


def encode(script: str) -> str:
    """Launch templates take user data base64-encoded."""
    return base64.b64encode(script.encode()).decode()
