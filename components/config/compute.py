"""Application tier settings: the compute platform per colour (EC2 Auto Scaling or EKS) and the
blue/green colours behind the ALB."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from .base import Section

# An image reference pinned by digest: what runs can't change behind a tag.
PINNED_IMAGE = re.compile(r"^[a-z0-9][a-z0-9./_:-]*@sha256:[0-9a-f]{64}$")
# EKS add-on versions as `aws eks describe-addon-versions` lists them.
ADDON_VERSION = r"^v\d+\.\d+\.\d+-eksbuild\.\d+$"
IAM_ROLE_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$"

Color = Literal["blue", "green"]
COLORS: tuple[Color, ...] = ("blue", "green")
Platform = Literal["ec2", "eks"]
PLATFORMS: tuple[Platform, ...] = ("ec2", "eks")


class _ColorBase(Section):
    image: str | None = Field(
        None,
        description="An image pinned by digest (`repository@sha256:…`); unset means the image built from app/.",
    )

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str | None) -> str | None:
        if value is not None and not PINNED_IMAGE.match(value):
            raise ValueError(f"{value!r} is not pinned by digest (repository@sha256:<64 hex digits>)")
        return value


class Ec2ColorSettings(_ColorBase):
    """One colour's Auto Scaling group. At traffic weight 0 it can be scaled to zero after a switch."""

    platform: Literal["ec2"] = Field(
        "ec2", description="This colour's platform, overriding compute.platform (each takes its own keys below)."
    )
    min_size: int = Field(
        ge=0,
        le=100,
        description="ec2 colours: fewest instances the colour keeps (HOST-6: >= 2 while it takes prod traffic); "
        "applied on every `pulumi up`, so raising it is how a running colour gets instances.",
    )
    max_size: int = Field(ge=0, le=100, description="ec2 colours: most instances the colour may scale out to.")
    desired_capacity: int = Field(
        ge=0,
        le=100,
        description="ec2 colours: instances a new group starts with; afterwards the CPU scaling policy owns the "
        "count and `pulumi up` leaves it alone (a colour taking traffic needs min_size > 0).",
    )

    @model_validator(mode="after")
    def _capacity_in_bounds(self) -> Ec2ColorSettings:
        if self.min_size > self.max_size:
            raise ValueError(f"min_size {self.min_size} is greater than max_size {self.max_size}")
        if not self.min_size <= self.desired_capacity <= self.max_size:
            raise ValueError(
                f"desired_capacity {self.desired_capacity} is outside min_size..max_size "
                f"({self.min_size}..{self.max_size})"
            )
        return self

    @property
    def running(self) -> bool:
        return self.desired_capacity > 0

    @property
    def floor(self) -> int:
        return self.min_size


class EksColorSettings(_ColorBase):
    """One colour's Deployment on the cluster; its HorizontalPodAutoscaler owns the replica count
    between min_replicas and max_replicas (a cap), so an EKS colour always runs."""

    platform: Literal["eks"] = Field("eks", description="This colour runs as a Deployment on the EKS cluster.")
    replicas: int = Field(3, ge=1, le=100, description="eks colours: pods at creation (runbook: 3).")
    min_replicas: int = Field(2, ge=1, le=100, description="eks colours: HPA lower bound (K8S-5: at least 2).")
    max_replicas: int = Field(10, ge=1, le=100, description="eks colours: HPA upper bound, a cap (K8S-5: 10).")

    @model_validator(mode="after")
    def _replicas_in_bounds(self) -> EksColorSettings:
        if self.min_replicas > self.max_replicas:
            raise ValueError(f"min_replicas {self.min_replicas} is greater than max_replicas {self.max_replicas}")
        if not self.min_replicas <= self.replicas <= self.max_replicas:
            raise ValueError(
                f"replicas {self.replicas} is outside min_replicas..max_replicas "
                f"({self.min_replicas}..{self.max_replicas})"
            )
        return self

    @property
    def running(self) -> bool:
        return True

    @property
    def floor(self) -> int:
        return self.min_replicas


ColorSettings = Annotated[Ec2ColorSettings | EksColorSettings, Field(discriminator="platform")]


class AddonVersions(Section):
    """EKS add-on versions for Kubernetes 1.33, pinned: vpc-cni, coredns and kube-proxy from the
    EKS User Guide's version tables; the others as `describe-addon-versions` lists them for 1.33.
    Check a new pin with `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>`."""

    vpc_cni: str = Field("v1.20.1-eksbuild.3", pattern=ADDON_VERSION, description="vpc-cni")
    coredns: str = Field("v1.12.4-eksbuild.1", pattern=ADDON_VERSION, description="coredns")
    kube_proxy: str = Field("v1.33.5-eksbuild.2", pattern=ADDON_VERSION, description="kube-proxy")
    pod_identity_agent: str = Field("v1.3.8-eksbuild.2", pattern=ADDON_VERSION, description="eks-pod-identity-agent")
    metrics_server: str = Field(
        "v0.8.0-eksbuild.2", pattern=ADDON_VERSION, description="metrics-server (the HPA's metrics)"
    )
    ebs_csi_driver: str = Field("v1.48.0-eksbuild.2", pattern=ADDON_VERSION, description="aws-ebs-csi-driver")
    cloudwatch_observability: str = Field(
        "v4.1.0-eksbuild.1", pattern=ADDON_VERSION, description="amazon-cloudwatch-observability (Container Insights)"
    )


class ChartVersions(Section):
    """Helm chart versions, pinned (each chart's Chart.yaml; `helm search repo <chart> --versions`)."""

    load_balancer_controller: str = Field("3.5.0", description="eks/aws-load-balancer-controller (app v3.5.0)")
    secrets_store_provider_aws: str = Field(
        "3.1.1",
        description="aws-secrets-manager/secrets-store-csi-driver-provider-aws, with the Secrets Store CSI "
        "driver as its subchart",
    )


class EksSettings(Section):
    """The EKS cluster the eks colours run on (K8S-6)."""

    version: str = Field("1.33", pattern=r"^1\.\d{2}$", description="Kubernetes minor version of the control plane.")
    endpoint_public_access: bool = Field(
        False, description="Open the API endpoint outside the VPC (only to public_access_cidrs)."
    )
    public_access_cidrs: list[str] = Field(
        [], description="Networks allowed to the public endpoint (office/VPN); never 0.0.0.0/0."
    )
    node_instance_types: list[str] = Field(min_length=1, description="Managed node group instance types.")
    node_min_size: int = Field(ge=1, le=100, description="Fewest nodes.")
    node_desired_size: int = Field(ge=1, le=100, description="Nodes at creation.")
    node_max_size: int = Field(ge=1, le=100, description="Most nodes.")
    node_disk_gb: int = Field(30, ge=20, le=1000, description="Encrypted gp3 root volume per node.")
    namespace: str = Field("app", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", description="The app namespace.")
    admin_role_arns: list[str] = Field(
        [], description="IAM roles given cluster-admin through access entries (operators, break-glass)."
    )
    viewer_role_arns: list[str] = Field([], description="IAM roles given read-only access through access entries.")
    addons: AddonVersions = Field(
        default_factory=lambda: AddonVersions.model_validate({}), description="Pinned EKS add-on versions."
    )
    charts: ChartVersions = Field(
        default_factory=lambda: ChartVersions.model_validate({}), description="Pinned Helm chart versions."
    )

    @field_validator("public_access_cidrs")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                network = ipaddress.ip_network(value)
            except ValueError as error:
                raise ValueError(f"{value!r} is not a network ({error})") from None
            if network.prefixlen == 0:
                raise ValueError(f"{value} opens the API endpoint to the whole internet (K8S-6)")
        return values

    @field_validator("admin_role_arns", "viewer_role_arns")
    @classmethod
    def _roles(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not re.match(IAM_ROLE_ARN, v)]
        if bad:
            raise ValueError(f"{bad} are not IAM role ARNs")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> EksSettings:
        problems = []
        if self.endpoint_public_access and not self.public_access_cidrs:
            problems.append("endpoint_public_access needs public_access_cidrs (EKS would open it to 0.0.0.0/0)")
        if self.public_access_cidrs and not self.endpoint_public_access:
            problems.append("public_access_cidrs is set but endpoint_public_access is false")
        if not self.node_min_size <= self.node_desired_size <= self.node_max_size:
            problems.append(
                f"node_desired_size {self.node_desired_size} is outside node_min_size..node_max_size "
                f"({self.node_min_size}..{self.node_max_size})"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# Keys that belong to one platform, for the wrong-platform check.
_SHARED_KEYS = frozenset(_ColorBase.model_fields) | {"platform"}
COLOR_KEYS: dict[Platform, frozenset[str]] = {
    "ec2": frozenset(Ec2ColorSettings.model_fields) - _SHARED_KEYS,
    "eks": frozenset(EksColorSettings.model_fields) - _SHARED_KEYS,
}
COMPUTE_KEYS: dict[Platform, str] = {"ec2": "instance_type", "eks": "eks"}


def resolved_platforms(compute: Any) -> dict[Color, Any]:
    """Each colour's platform as given in a raw `compute` mapping: its own, else compute.platform,
    else ec2 (values unchecked: the model reports bad ones)."""
    compute = compute if isinstance(compute, dict) else {}
    default = compute.get("platform", "ec2")
    return {
        color: (compute.get(color) or {}).get("platform", default) if isinstance(compute.get(color), dict) else default
        for color in COLORS
    }


def wrong_platform_errors(compute: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(key path within `compute`, reason) for each platform key given for a colour (or a stack)
    that doesn't run on that platform."""
    platforms = resolved_platforms(compute)
    errors: list[tuple[tuple[str, ...], str]] = []
    for color, platform in platforms.items():
        given = compute.get(color)
        keys = set(given) if isinstance(given, dict) else set()
        for other in PLATFORMS:
            if other != platform:
                errors += [
                    ((color, key), f"applies to platform '{other}', but compute.{color} runs on '{platform}'")
                    for key in sorted(COLOR_KEYS[other] & keys)
                ]
    used = set(platforms.values())
    errors += [
        ((key,), f"applies to platform '{platform}', which no colour runs on")
        for platform, key in COMPUTE_KEYS.items()
        if key in compute and platform not in used
    ]
    return errors


def _raise(model: str, errors: list[tuple[tuple[str, ...], str]]) -> None:
    """One ValidationError carrying every (key path, reason), so each is reported where it is."""
    raise ValidationError.from_exception_data(
        model,
        [
            InitErrorDetails(type=PydanticCustomError("platform", "{reason}", {"reason": reason}), loc=loc, input=None)
            for loc, reason in errors
        ],
    )


class ComputeSettings(Section):
    """Both colours and their platforms. `platform` is the default for the colours;
    `compute.<colour>.platform` overrides it (blue on ec2 and green on eks is the EC2 → EKS canary)."""

    platform: Platform = Field("ec2", description="Default platform of both colours: 'ec2' or 'eks'.")
    app_port: int = Field(
        3000,
        ge=1024,
        le=65535,
        description="Port the application listens on; target groups and security groups follow it.",
    )
    instance_type: str | None = Field(
        None, description="EC2 instance type of the ec2 colours (seed: t3.medium in prod)."
    )
    eks: EksSettings | None = Field(None, description="The cluster of the eks colours.")
    blue: ColorSettings = Field(description="The blue colour.")
    green: ColorSettings = Field(description="The green colour.")

    @model_validator(mode="before")
    @classmethod
    def _platform_per_color(cls, data: Any) -> Any:
        """Reject keys of the wrong platform (every one, by key path), then tell each colour its
        platform so the right settings class validates it."""
        if not isinstance(data, dict):
            return data
        errors = wrong_platform_errors(data)
        if errors:
            _raise(cls.__name__, errors)
        data = dict(data)
        for color, platform in resolved_platforms(data).items():
            if isinstance(data.get(color), dict):
                data[color] = {**data[color], "platform": platform}
        return data

    @model_validator(mode="after")
    def _platform_settings_present(self) -> ComputeSettings:
        missing = [
            ((key,), f"required when a colour runs on '{platform}'")
            for platform, key in COMPUTE_KEYS.items()
            if platform in self.platforms and getattr(self, key) is None
        ]
        if missing:
            _raise(type(self).__name__, missing)
        return self

    def color(self, color: Color) -> Ec2ColorSettings | EksColorSettings:
        return getattr(self, color)

    def platform_of(self, color: Color) -> Platform:
        return self.color(color).platform

    def colors_on(self, platform: Platform) -> tuple[Color, ...]:
        return tuple(c for c in COLORS if self.platform_of(c) == platform)

    @property
    def platforms(self) -> set[Platform]:
        return {self.platform_of(c) for c in COLORS}


class TrafficSettings(Section):
    """Percent of requests the HTTPS listener forwards to each colour (DEP-1)."""

    blue: int = Field(ge=0, le=100, description="Percent of requests sent to the blue colour.")
    green: int = Field(ge=0, le=100, description="Percent of requests sent to the green colour (blue + green = 100).")

    @model_validator(mode="after")
    def _sums_to_100(self) -> TrafficSettings:
        if self.blue + self.green != 100:
            raise ValueError(
                f"weights must sum to 100, got blue {self.blue} + green {self.green} = {self.blue + self.green}"
            )
        return self

    def weight(self, color: Color) -> int:
        return getattr(self, color)
