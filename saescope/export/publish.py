"""Publish a release folder to the Hugging Face Hub: exactly the files its manifest vouches for, or nothing.

Before anything leaves the machine the folder is checked as a whole: every manifest entry must stay inside
the folder and match its recorded size and sha256, every file present must be listed, and files that are
never part of a release (trainer state, other `.pt` checkpoints, VCS and cache folders, token / key / `.env`
files) are refused even when listed. All problems are reported together, each naming its file.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from huggingface_hub import HfApi

from saescope.release.errors import ReleaseError
from saescope.release.layout import MANIFEST, PT
from saescope.release.manifest import check_entry, read_manifest, safe_member
from saescope.utils.atomic import sha256_file

# Folders whose content is never release data (VCS history, download caches, hub client state).
FORBIDDEN_DIRS = (".git", ".cache", ".huggingface")
CHECKPOINT_SUFFIXES = (".pt", ".pth", ".ckpt")  # pickled checkpoints may carry optimizer state
KEY_SUFFIXES = (".key", ".pem", ".p12", ".pfx")
CREDENTIAL_NAMES = (".netrc", ".git-credentials", ".pypirc", "credentials", "credentials.json", "id_rsa", "id_ed25519")
# token, .token, hf_token, access-token.txt, secrets.json, api_key ... but not tokenizer.json or
# special_tokens_map.json, which are ordinary model files.
SECRET_NAME = re.compile(r"^\.?([a-z0-9]+[_-])?(tokens?|secrets?|api[_-]?keys?)(\.[a-z0-9]+)?$")


class PublishError(ReleaseError):
    """The release folder holds something that must not be uploaded, or does not match its manifest."""


def forbidden_reason(rel: str) -> str | None:
    """Why a release-relative path must never be uploaded, or None when it may be."""
    parts = PurePosixPath(rel).parts
    name = parts[-1].lower()
    for part in parts[:-1]:
        if part in FORBIDDEN_DIRS:
            return f"inside {part}/ (version-control or cache data)"
    if name.startswith("trainer_state") or name.startswith("optimizer"):
        return "training resume state (optimizer moments, RNG, loader position)"
    if name.endswith(CHECKPOINT_SUFFIXES) and parts[-1] != PT:
        return f"a PyTorch checkpoint other than {PT} (may hold optimizer state)"
    if name == ".env" or name.startswith(".env."):
        return "an environment file (typically holds secrets)"
    if name.endswith(KEY_SUFFIXES) or name in CREDENTIAL_NAMES or SECRET_NAME.match(name):
        return "looks like a token, key or credentials file"
    return None


def folder_files(root: Path) -> tuple[list[str], list[str]]:
    """(every file under `root` as a POSIX relative path, problems).

    A forbidden folder is reported once instead of file by file. os.walk does not descend into symlinked
    folders, but an uploader globbing the folder might, so they are refused rather than silently skipped.
    """
    files, problems = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for d in list(dirnames):
            rel = (base / d).relative_to(root).as_posix()
            if d in FORBIDDEN_DIRS:
                problems.append(f"{rel}/: refusing to publish, version-control or cache data")
                dirnames.remove(d)
            elif (base / d).is_symlink():
                problems.append(f"{rel}/: a symlinked folder; copy its files in instead")
        files.extend((base / f).relative_to(root).as_posix() for f in filenames)
    return sorted(files), problems


def manifest_paths(root: Path, manifest: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(the listed paths that check out, problems): safe path, unique, present, size and sha256 as recorded."""
    paths, problems = [], []
    for entry in manifest["files"]:
        rel = entry.get("path") if isinstance(entry, dict) else None
        if rel == MANIFEST:
            problems.append(f"{MANIFEST}: lists itself (it cannot record its own sha256)")
        elif rel in paths:
            problems.append(f"{rel}: listed twice in {MANIFEST}")
        else:
            try:
                safe_member(root, rel)  # before check_entry opens anything: the path is untrusted
                check_entry(root, entry)
            except ReleaseError as e:
                problems.append(str(e))
                continue
            paths.append(rel)
    return paths, problems


def folder_problems(files: list[str], listed: set[str]) -> list[str]:
    problems = []
    for rel in files:
        reason = forbidden_reason(rel)
        if reason is not None:
            problems.append(f"{rel}: refusing to publish, {reason}")
        elif rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}: not listed in {MANIFEST}, so not part of the release (remove it or re-export)")
    return problems


def release_upload_list(release: Path) -> list[str]:
    """The sorted relative paths a publish of `release` uploads; raises PublishError naming every problem."""
    release = Path(release)
    if not release.is_dir():
        raise PublishError(f"{release}: not a folder")
    try:
        manifest = read_manifest(release)
    except ReleaseError as e:
        raise PublishError(str(e)) from e
    listed, problems = manifest_paths(release, manifest)
    files, walk_problems = folder_files(release)
    # Listed files inside a pruned folder are not in `files`; the union still runs them past the refusals.
    problems += walk_problems + folder_problems(sorted(set(files) | set(listed)), set(listed))
    if not listed and not problems:
        problems.append(f"{MANIFEST}: lists no files")
    if problems:
        raise PublishError(f"{release}: not publishing:\n  " + "\n  ".join(problems))
    return sorted([*listed, MANIFEST])


def literal_patterns(paths: list[str]) -> list[str]:
    """allow_patterns matching exactly `paths`: the hub matches them with fnmatch, so `[`, `*`, `?` are escaped."""
    return [glob.escape(p) for p in paths]


def publish_release(release: Path, repo_id: str, dry_run: bool = False, revision: str | None = None,
                    private: bool = False, token: str | None = None) -> list[str]:
    """Upload a verified release folder to the model repo `repo_id`; returns the relative paths uploaded.

    With `dry_run` nothing touches the network: the folder is verified and the list that would go returned.
    `revision` is a branch (created from main when missing) or a `refs/pr/N` ref. Files already in the repo
    and absent from the release are left as they are.
    """
    release = Path(release)
    paths = release_upload_list(release)
    if dry_run:
        return paths
    api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
    if revision is not None and revision != "main" and not revision.startswith("refs/pr/"):
        api.create_branch(repo_id, branch=revision, exist_ok=True, repo_type="model")
    api.upload_folder(
        repo_id=repo_id,
        folder_path=release,
        repo_type="model",
        revision=revision,
        # Only the verified files, even if something appeared in the folder since the check.
        allow_patterns=literal_patterns(paths),
        commit_message=f"saescope release ({len(paths)} files)",
        commit_description=f"{MANIFEST} sha256 {sha256_file(release / MANIFEST)}",
    )
    return paths
