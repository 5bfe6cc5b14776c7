"""The application image: a hardened ECR repository, built from app/ unless config pins one."""

from __future__ import annotations

import json
import shutil

import pytest

from components.compute.image import APP_DIR, content_tag
from tests.components.variants import prod_tuned
from tests.conftest import REPO

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
    # Relative to the project (where Pulumi runs the program): pulumi-docker's diff compares the
    # strings, so an absolute path would rebuild and re-push the same tag from another checkout.
    assert image.inputs["build"]["context"] == "app" and image.inputs["build"]["dockerfile"] == "app/Dockerfile"
    assert (REPO / "app" / "Dockerfile").is_file()
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
    graph = prod_tuned()
    assert graph.of_type(DOCKER_IMAGE) == []
    assert graph.named("prod-image-repo")  # the repository is still managed


def test_content_tag_changes_with_the_sources(tmp_path):
    (tmp_path / "server.py").write_text("print('v1')")
    first = content_tag(tmp_path)
    assert first == content_tag(tmp_path)
    (tmp_path / "server.py").write_text("print('v2')")
    assert content_tag(tmp_path) != first


def test_content_tag_changes_with_what_dockers_diff_hashes_and_nothing_else(tmp_path):
    context = tmp_path / "checkout-a" / "app"
    shutil.copytree(APP_DIR, context, ignore=shutil.ignore_patterns("__pycache__"))
    tag = content_tag(context)
    # Another checkout of the same sources: same tag, so no rebuild and no refused push.
    other = tmp_path / "checkout-b" / "app"
    shutil.copytree(context, other)
    assert content_tag(other) == tag
    # What .dockerignore leaves out of the build (and of pulumi-docker's digest) leaves the tag alone.
    (context / "__pycache__").mkdir()
    (context / "__pycache__" / "server.cpython-311.pyc").write_bytes(b"\x00")
    (context / "stray.pyc").write_bytes(b"\x00")
    assert content_tag(context) == tag
    # A file mode is part of the digest: a new mode is a new build, and must be a new tag.
    (context / "server.py").chmod(0o755)
    assert content_tag(context) != tag


def test_content_tag_refuses_ignore_patterns_it_cannot_read_like_docker(tmp_path):
    (tmp_path / ".dockerignore").write_text("**/*.pyc\n")
    with pytest.raises(ValueError, match="can't read patterns"):
        content_tag(tmp_path)


def test_the_base_image_is_pinned_by_digest():
    (base,) = [line.split()[1] for line in (APP_DIR / "Dockerfile").read_text().splitlines() if line.startswith("FROM")]
    name, digest = base.split("@sha256:")
    assert name == "python:3.12.8-slim-bookworm" and len(digest) == 64
