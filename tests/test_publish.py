"""Publishing uploads exactly the manifest's files, verified, and refuses anything else by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub.utils import filter_repo_objects

from saescope.export import publish
from saescope.export.publish import PublishError, forbidden_reason, literal_patterns, publish_release
from saescope.utils.atomic import sha256_file

FILES = {
    "model.safetensors": b"weights" * 10,
    "model.metadata.json": b'{"k": 4}',
    "model.pt": b"pickled weights",
    "README.md": b"# card\n",
    "reverse-index/summary.json": b"{}",
}


def write_manifest(root: Path, paths: list[str]) -> None:
    entries = [{"path": p, "bytes": (root / p).stat().st_size, "sha256": sha256_file(root / p), "role": "other"}
               for p in paths]
    (root / "release_manifest.json").write_text(json.dumps({"files": entries, "provenance": {"test": True}}))


@pytest.fixture
def release(tmp_path: Path) -> Path:
    root = tmp_path / "release"
    for rel, data in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    write_manifest(root, sorted(FILES))
    return root


def test_dry_run_lists_exactly_the_manifest_files(release: Path) -> None:
    assert publish_release(release, "user/sae", dry_run=True) == sorted([*FILES, "release_manifest.json"])


@pytest.mark.parametrize("extra", ["trainer_state.pt", ".env", "optimizer_0.pt", "hf_token", "deploy.key",
                                   "reverse-index/notes.txt"])
def test_extra_file_is_refused_by_name(release: Path, extra: str) -> None:
    (release / extra).write_text("x")
    with pytest.raises(PublishError, match=extra.replace(".", r"\.")):
        publish_release(release, "user/sae", dry_run=True)


def test_forbidden_file_is_refused_even_when_listed(release: Path) -> None:
    (release / "trainer_state.pt").write_bytes(b"adam moments")
    write_manifest(release, [*sorted(FILES), "trainer_state.pt"])
    with pytest.raises(PublishError, match=r"trainer_state\.pt: refusing to publish, training resume state"):
        publish_release(release, "user/sae", dry_run=True)


def test_cache_and_git_folders_are_refused(release: Path) -> None:
    (release / ".cache" / "huggingface").mkdir(parents=True)
    (release / ".cache" / "huggingface" / "x.lock").write_text("")
    (release / ".git").mkdir()
    (release / ".git" / "HEAD").write_text("ref: refs/heads/main")
    with pytest.raises(PublishError) as info:
        publish_release(release, "user/sae", dry_run=True)
    assert ".cache/: refusing" in str(info.value) and ".git/: refusing" in str(info.value)


def test_modified_file_is_refused_by_name(release: Path) -> None:
    (release / "model.metadata.json").write_bytes(b'{"k": 5}')  # same size, different content
    with pytest.raises(PublishError, match=r"model\.metadata\.json: sha256 .* does not match"):
        publish_release(release, "user/sae", dry_run=True)


def test_missing_file_is_refused_by_name(release: Path) -> None:
    (release / "README.md").unlink()
    with pytest.raises(PublishError, match=r"README\.md: listed in release_manifest\.json but missing"):
        publish_release(release, "user/sae", dry_run=True)


@pytest.mark.parametrize("bad", ["../outside.bin", "/etc/passwd", "reverse-index/../../outside.bin"])
def test_manifest_path_escaping_the_folder_is_refused(release: Path, bad: str) -> None:
    (release.parent / "outside.bin").write_bytes(b"secret")
    manifest = json.loads((release / "release_manifest.json").read_text())
    manifest["files"].append({"path": bad, "bytes": 6, "sha256": sha256_file(release.parent / "outside.bin")})
    (release / "release_manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PublishError, match="escapes the release folder"):
        publish_release(release, "user/sae", dry_run=True)


def test_symlink_pointing_out_is_refused(release: Path) -> None:
    (release.parent / "outside.bin").write_bytes(b"secret")
    (release / "link.bin").symlink_to(release.parent / "outside.bin")
    write_manifest(release, [*sorted(FILES), "link.bin"])
    with pytest.raises(PublishError, match="resolves outside the release folder"):
        publish_release(release, "user/sae", dry_run=True)


def test_missing_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"w")
    with pytest.raises(PublishError, match=r"release_manifest\.json: missing"):
        publish_release(tmp_path, "user/sae", dry_run=True)


def test_forbidden_names() -> None:
    for name in ["token", ".token", "hf_token", "access-token.txt", "secrets.json", "api_key", "x/.env.local",
                 "ckpt.pth", "last.ckpt", ".git/config", "id_rsa"]:
        assert forbidden_reason(name) is not None, name
    for name in ["model.pt", "model.safetensors", "tokenizer.json", "special_tokens_map.json", "README.md",
                 "reverse-index/feature_prompts.parquet", "model.onnx.data"]:
        assert forbidden_reason(name) is None, name


def test_allow_patterns_match_only_the_listed_paths() -> None:
    listed = ["model.safetensors", "reverse-index/[a]*.json"]
    others = ["reverse-index/a.json", "reverse-index/[a]x.json", "model.safetensors.bak"]
    assert list(filter_repo_objects([*listed, *others], allow_patterns=literal_patterns(listed))) == listed


class FakeApi:
    """Records the hub calls a publish makes (no network)."""

    last: FakeApi | None = None
    calls: list[tuple[str, dict[str, Any]]]

    def __init__(self, token: str | None = None) -> None:
        self.calls = [("init", {"token": token})]
        FakeApi.last = self

    def create_repo(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))

    def create_branch(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_branch", {"repo_id": repo_id, **kwargs}))

    def upload_folder(self, **kwargs: Any) -> None:
        self.calls.append(("upload_folder", kwargs))


def test_publish_uploads_only_the_verified_files(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "HfApi", FakeApi)
    uploaded = publish_release(release, "user/sae", revision="v1", private=True, token="t0k")
    assert FakeApi.last is not None
    calls = dict(FakeApi.last.calls)
    assert calls["init"] == {"token": "t0k"}
    assert calls["create_repo"] == {"repo_id": "user/sae", "private": True, "exist_ok": True, "repo_type": "model"}
    assert calls["create_branch"]["branch"] == "v1"
    upload = calls["upload_folder"]
    assert upload["repo_id"] == "user/sae" and upload["revision"] == "v1" and upload["folder_path"] == release
    everything = [p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()]
    assert sorted(filter_repo_objects(everything, allow_patterns=upload["allow_patterns"])) == uploaded


def test_failed_check_makes_no_hub_call(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "HfApi", FakeApi)
    FakeApi.last = None
    (release / ".env").write_text("HF_TOKEN=x")
    with pytest.raises(PublishError, match=r"\.env"):
        publish_release(release, "user/sae")
    assert FakeApi.last is None
