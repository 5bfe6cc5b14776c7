"""The application image: a hardened ECR repository, built from app/ unless config pins one."""

from __future__ import annotations

import json

from components.compute.image import APP_DIR, content_tag
from tests.components.variants import pinned_prod

DOCKER_IMAGE = "docker:index/image:Image"


def test_repository_is_immutable_scanned_and_kms_encrypted(stack):
    repo = stack.named(f"{stack.stack}-image-repo")
    assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo.inputs["encryptionConfigurations"] == [
        {"encryptionType": "KMS", "kmsKey": stack.named(f"{stack.stack}-keys-data").outputs["arn"]}
    ]
    assert repo.protect == (stack.stack == "prod")


def test_lifecycle_policy_expires_untagged_and_old_images(stack):
    rules = json.loads(stack.named(f"{stack.stack}-image-lifecycle").inputs["policy"])["rules"]
    assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "any"]
    assert all(r["action"]["type"] == "expire" for r in rules)


def test_default_config_builds_app_and_pushes_it_with_secret_credentials(stack):
    (image,) = stack.of_type(DOCKER_IMAGE)
    assert image.inputs["build"]["context"] == str(APP_DIR)
    assert (APP_DIR / "Dockerfile").is_file()
    repo_url = stack.named(f"{stack.stack}-image-repo").outputs["repositoryUrl"]
    assert image.inputs["imageName"] == f"{repo_url}:{content_tag()}"
    assert image.inputs["registry"]["server"] == repo_url
    assert "registry" in image.secret_inputs  # the ECR password never reaches state in plaintext


def test_instances_run_the_built_image_by_digest(stack):
    (image,) = stack.of_type(DOCKER_IMAGE)
    refs = stack.outputs["image_refs"]
    assert refs == {"blue": image.outputs["repoDigest"], "green": image.outputs["repoDigest"]}
    assert "@sha256:" in refs["blue"] and ":src-" not in refs["blue"]


def test_pinned_images_need_no_build_and_no_registry_credentials():
    graph = pinned_prod()
    assert graph.of_type(DOCKER_IMAGE) == []
    assert graph.named("prod-image-repo")  # the repository is still managed


def test_content_tag_changes_with_the_sources(tmp_path):
    (tmp_path / "server.py").write_text("print('v1')")
    first = content_tag(tmp_path)
    assert first == content_tag(tmp_path)
    (tmp_path / "server.py").write_text("print('v2')")
    assert content_tag(tmp_path) != first
