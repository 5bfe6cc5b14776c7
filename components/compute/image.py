"""The application image: an ECR repository, and (when config names no image) a build of app/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from ..config import COLORS, Color, ComputeSettings
from ..foundation.protection import Protection

APP_DIR = Path(__file__).resolve().parents[2] / "app"
# Enough builds to roll back through a bad week of deploys; older ones only cost storage.
KEEP_IMAGES = 30
UNTAGGED_EXPIRY_DAYS = 7


def content_tag(directory: Path = APP_DIR) -> str:
    """A tag derived from the build context's files: same sources, same tag, so an unchanged
    app isn't rebuilt, and a changed one gets a new tag (the repository's tags are immutable)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(directory).as_posix().encode())
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
        self.refs = {
            # self.built is set above whenever a color names no image.
            color: pulumi.Output.from_input(getattr(settings, color).image or self.built.repo_digest)  # pyright: ignore[reportOptionalMemberAccess]
            for color in COLORS
        }
        self.repository_url = self.repository.repository_url
        self.register_outputs({"repository_url": self.repository_url, "refs": self.refs})

    def _build(self, name: str) -> docker.Image:
        token = aws.ecr.get_authorization_token_output(
            registry_id=self.repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        return docker.Image(
            f"{name}-build",
            image_name=pulumi.Output.concat(self.repository.repository_url, ":", content_tag()),
            build=docker.DockerBuildArgs(
                context=str(APP_DIR),
                dockerfile=str(APP_DIR / "Dockerfile"),
                # The instances are x86_64 (the AL2023 AMI parameter), whatever builds the image.
                platform="linux/amd64",
            ),
            registry=docker.RegistryArgs(
                server=self.repository.repository_url,
                username=token.user_name,
                password=pulumi.Output.secret(token.password),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
