"""The boot script of an application instance: CloudWatch agent, Docker, secrets, the container.

It holds no secret (SEC-1): it names secrets by ARN and fetches their values with the instance
role, at boot and every REFRESH_MINUTES after (rotation changes them), into a root-only file on
tmpfs that only `docker run` reads. The container runs under systemd, restarted when a value
changed.
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

SECRETS_SCRIPT_PATH = "/usr/local/sbin/app-secrets"
ENV_FILE = "/run/app/secrets.env"
# Rotation (SEC-2) changes values every `secrets.rotation_days`: instances re-read them this often
# and restart the container only when one changed (each instance at its own moment).
REFRESH_MINUTES = 15

# Fetches every secret into a new file and swaps it in only when all fetches succeeded: a failed
# call stops the script with its status (no `$(…)` inside another command, which would hide it)
# and the old file stays. With --restart-if-changed, a changed file restarts the container.
SECRETS_TEMPLATE = """#!/bin/bash
set -euo pipefail
region={region}
env_file={env_file}
install -d -m 0700 "$(dirname "$env_file")"
staged=$(mktemp "$env_file.XXXXXX")
trap 'rm -f "$staged"' EXIT
fetch_secret() {{
  local value
  value=$(aws secretsmanager get-secret-value --region "$region" --secret-id "$2" --query SecretString --output text)
  printf '%s=%s\\n' "$1" "$value" >> "$staged"
}}
{fetches}
if [[ -f "$env_file" ]] && cmp -s "$staged" "$env_file"; then
  exit 0
fi
chmod 0600 "$staged"
mv "$staged" "$env_file"
if [[ "${{1:-}}" == --restart-if-changed ]]; then
  systemctl restart app.service
fi
"""

TEMPLATE = """#!/bin/bash
# Application instance boot script (components/compute/user_data.py). Holds no secret values.
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
docker pull "$image"

# Secrets Manager values, fetched with the instance role into a root-only tmpfs file before
# every container start (a failed fetch fails the start), and re-read every few minutes.
cat > {secrets_script} <<'SECRETS'
{secrets_script_body}SECRETS
chmod 0700 {secrets_script}

cat > /etc/systemd/system/app.service <<'UNIT'
[Unit]
Description=Application container
After=docker.service
Requires=docker.service

[Service]
ExecStartPre={secrets_script}
ExecStartPre=-/usr/bin/docker rm --force app
ExecStart=/usr/bin/docker run --rm --name app --env-file {env_file} --env PORT={port} --publish {port}:{port} \\
  --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \\
  --log-driver awslogs --log-opt awslogs-region={region} --log-opt awslogs-group={log_group} {image}
ExecStop=/usr/bin/docker stop --time 25 app
Restart=always

[Install]
WantedBy=multi-user.target
UNIT

# After a rotation: the new values, then a restart of the container (the ALB drains it via /ready).
cat > /etc/systemd/system/app-secrets.service <<'UNIT'
[Unit]
Description=Re-read the application's secrets; restart the app when one changed

[Service]
Type=oneshot
ExecStart={secrets_script} --restart-if-changed
UNIT
cat > /etc/systemd/system/app-secrets.timer <<'UNIT'
[Timer]
OnActiveSec={refresh_minutes}min
OnUnitActiveSec={refresh_minutes}min
RandomizedDelaySec={refresh_minutes}min

[Install]
WantedBy=timers.target
UNIT

systemctl daemon-reload
systemctl enable --now app.service app-secrets.timer
"""


def secrets_script(*, region: str, secret_arns: Mapping[str, str], env_file: str = ENV_FILE) -> str:
    """The script that (re)writes `env_file` from Secrets Manager; `secret_arns` maps the
    container's environment variable to a secret ARN."""
    bad = [name for name in secret_arns if not ENV_NAME.match(name)]
    if bad:
        raise ValueError(f"secret environment variable names {bad} must be UPPER_SNAKE_CASE")
    fetches = "\n".join(f"fetch_secret {name} {shlex.quote(arn)}" for name, arn in sorted(secret_arns.items()))
    return SECRETS_TEMPLATE.format(region=shlex.quote(region), env_file=shlex.quote(env_file), fetches=fetches or ":")


def render(*, region: str, image: str, port: int, log_group: str, secret_arns: Mapping[str, str]) -> str:
    """The boot script; `secret_arns` maps the container's environment variable to a secret ARN."""
    return TEMPLATE.format(
        agent_config_path=AGENT_CONFIG_PATH,
        agent_config=json.dumps(CLOUDWATCH_AGENT_CONFIG, indent=2),
        region=shlex.quote(region),
        image=shlex.quote(image),
        port=port,
        log_group=shlex.quote(log_group),
        env_file=ENV_FILE,
        secrets_script=SECRETS_SCRIPT_PATH,
        secrets_script_body=secrets_script(region=region, secret_arns=secret_arns),
        refresh_minutes=REFRESH_MINUTES,
    )


def encode(script: str) -> str:
    """Launch templates take user data base64-encoded."""
    return base64.b64encode(script.encode()).decode()
