"""The application image: an ECR repository, and (when config names no image) a build of app/."""

from __future__ import annotations

import hashlib
import stat
from fnmatch import fnmatchcase
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from ..config import COLORS, Color, ComputeSettings
from ..foundation.protection import Protection

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP_DIR = PROJECT_DIR / "app"
# Relative to the project directory, where Pulumi runs the program and the provider resolves
# them: pulumi-docker's diff compares these strings, so an absolute path would differ between a
# workstation's checkout and CI's and rebuild (and re-push) an unchanged image.
BUILD_CONTEXT = APP_DIR.relative_to(PROJECT_DIR).as_posix()
DOCKERFILE = f"{BUILD_CONTEXT}/Dockerfile"
# The instances are x86_64 (the AL2023 AMI parameter), whatever builds the image.
PLATFORM = "linux/amd64"
# Enough builds to roll back through a bad week of deploys; older ones only cost storage.
KEEP_IMAGES = 30
UNTAGGED_EXPIRY_DAYS = 7


def _ignore_patterns(directory: Path) -> list[list[str]]:
    """The build context's .dockerignore patterns, split into path segments. Only the simple
    forms Docker and this function read alike: no `**`, no `!` exceptions."""
    ignore = directory / ".dockerignore"
    lines = ignore.read_text().splitlines() if ignore.is_file() else []
    patterns = [line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")]
    unsupported = [p for p in patterns if "**" in p or p.startswith("!")]
    if unsupported:
        raise ValueError(f"{ignore}: content_tag can't read patterns {unsupported}; keep them simple")
    return [p.split("/") for p in patterns]


def _ignored(parts: tuple[str, ...], patterns: list[list[str]]) -> bool:
    """Docker's rule: a pattern matches a path or one of its directories, segment by segment."""
    return any(
        len(pattern) <= len(parts) and all(fnmatchcase(part, seg) for part, seg in zip(parts, pattern, strict=False))
        for pattern in patterns
    )


def content_tag(directory: Path = APP_DIR) -> str:
    """A tag derived from what pulumi-docker's diff hashes of the build context (each file not
    excluded by .dockerignore: its relative path, mode and contents) plus the build settings: an
    unchanged app keeps its tag and isn't rebuilt, a changed one gets a new tag, so pushing into
    the IMMUTABLE repository never meets an existing tag."""
    patterns = _ignore_patterns(directory)
    digest = hashlib.sha256(f"{DOCKERFILE}\0{PLATFORM}\0".encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory)
        if _ignored(relative.parts, patterns):
            continue
        digest.update(f"{relative.as_posix()}\0{stat.S_IMODE(path.stat().st_mode):o}\0".encode())
        digest.update(path.read_bytes())
    return f"src-{digest.hexdigest()[:16]}"


class AppImage(pulumi.ComponentResource):
    """`refs[color]` is the image each colour runs, always pinned by digest: the colour's
    configured image, else the image built from app/ and pushed to `repository`.

    Building needs a Docker daemon and ECR credentials (an `aws.ecr.getAuthorizationToken`
    call), so it happens only when some colour names no image; a stack whose colours all name
    their image previews without Docker.
    """

    refs: dict[Color, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        settings: ComputeSettings,
        *,
        repository_name: str,
        key: aws.kms.Key,
        protection: Protection,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:image:AppImage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.repository = aws.ecr.Repository(
            f"{name}-repo",
            name=repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=key.arn)
            ],
            force_delete=not protection.enabled,
            opts=protection.options(self),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=self.repository.name,
            policy=pulumi.Output.json_dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": f"expire untagged images after {UNTAGGED_EXPIRY_DAYS} days",
                            "selection": {
                                "tagStatus": "untagged",
                                "countType": "sinceImagePushed",
                                "countUnit": "days",
                                "countNumber": UNTAGGED_EXPIRY_DAYS,
                            },
                            "action": {"type": "expire"},
                        },
                        {
                            "rulePriority": 2,
                            "description": f"keep the last {KEEP_IMAGES} images",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": KEEP_IMAGES,
                            },
                            "action": {"type": "expire"},
                        },
                    ]
                }
            ),
            opts=child,
        )

        self.built: docker.Image | None = None
        if any(getattr(settings, color).image is None for color in COLORS):
            self.built = self._build(name)
        self.refs = {}
        for color in COLORS:
            self.refs[color] = self._ref(getattr(settings, color).image)
        self.repository_url = self.repository.repository_url
        self.register_outputs({"repository_url": self.repository_url, "refs": self.refs})

    def _ref(self, image: str | None) -> pulumi.Output[str]:
        """A colour's configured image, else the digest of the one built from app/."""
        if image is not None:
            return pulumi.Output.from_input(image)
        assert self.built is not None  # built whenever some colour names no image
        return self.built.repo_digest

    def _build(self, name: str) -> docker.Image:
        token = aws.ecr.get_authorization_token_output(
            registry_id=self.repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        return docker.Image(
            f"{name}-build",
            image_name=pulumi.Output.concat(self.repository.repository_url, ":", content_tag()),
            build=docker.DockerBuildArgs(context=BUILD_CONTEXT, dockerfile=DOCKERFILE, platform=PLATFORM),
            registry=docker.RegistryArgs(
                server=self.repository.repository_url,
                username=token.user_name,
                password=pulumi.Output.secret(token.password),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
