"""`saescope verify`: is a release folder intact and do all of its formats compute the same SAE?

Checks, in order: every manifest entry (safe path, size, sha256); the metadata; each present format's tensor
shapes against the metadata; and the forward of every format against model.safetensors on random inputs
(ONNX through onnxruntime). Any failure raises ReleaseError naming the file at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from saescope.export.compare import Agreement, Outputs, agreement, onnx_outputs, random_inputs, torch_outputs
from saescope.release.checkpoint import read_header
from saescope.release.errors import ReleaseError
from saescope.release.formats import read_format
from saescope.release.layout import (
    CARD,
    FORMATS,
    MANIFEST,
    METADATA,
    ONNX,
    SAFETENSORS,
    architecture_of,
    format_files,
)
from saescope.release.manifest import check_entry, entry_for, read_manifest, release_files
from saescope.release.metadata import check_shapes
from saescope.release.peers import read_saelens, read_sparsify
from saescope.sae.batchtopk import sae_class
from saescope.utils.atomic import read_json_object


@dataclass
class VerifyReport:
    path: Path
    files: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes) whose sha256 matched
    formats: dict[str, Agreement] = field(default_factory=dict)
    n_inputs: int = 0
    unlisted: list[str] = field(default_factory=list)  # files present but not in the manifest (not checked)

    def lines(self) -> list[str]:
        total = sum(size for _, size in self.files)
        out = [f"{self.path}: OK", f"  {len(self.files)} files, {total:,} bytes: sizes and sha256 match {MANIFEST}"]
        for fmt, a in self.formats.items():
            ties = f", {a.tie_rows} near-tie rows skipped" if a.tie_rows else ""
            out.append(f"  {fmt:<11} max abs error {a.max_abs_error:.3g}, normalised relative {a.max_rel_error:.3g} "
                       f"(tolerance {a.tolerance:.3g}) on {self.n_inputs} random inputs{ties}")
        out += [f"  warning: {rel} is not listed in {MANIFEST} (not verified)" for rel in self.unlisted]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def check_manifest(root: Path, manifest: dict[str, Any], report: VerifyReport) -> None:
    for entry in manifest["files"]:
        if not isinstance(entry, dict):
            raise ReleaseError(f"{MANIFEST}: malformed file entry {entry!r}")
        check_entry(root, entry)
        report.files.append((entry["path"], entry["bytes"]))
    for required in (SAFETENSORS, METADATA, CARD):
        if entry_for(manifest, required) is None:
            raise ReleaseError(f"{required}: not listed in {MANIFEST}")
    listed = {e["path"] for e in manifest["files"]}
    report.unlisted = [rel for rel in release_files(root) if rel not in listed and not rel.startswith(".")]


def present_formats(root: Path, metadata: dict[str, Any]) -> list[str]:
    """Formats the metadata promises (each must be complete) plus any others found complete on disk."""
    promised = set(metadata.get("export", {}).get("formats", [])) | {"safetensors"}
    found = []
    for fmt in FORMATS:
        files = format_files(fmt, architecture_of(metadata))
        missing = [name for name in files if not (root / name).is_file()]
        if fmt in promised and missing:
            raise ReleaseError(f"{missing[0]}: missing, but model.metadata.json lists the {fmt} format")
        if not missing:
            found.append(fmt)
    return found


def check_metadata_agrees(root: Path, metadata: dict[str, Any], state: dict[str, torch.Tensor]) -> None:
    if read_header(root / SAFETENSORS) != metadata:
        raise ReleaseError(f"{SAFETENSORS}: header metadata differs from {METADATA}")
    for name in ("input_mean", "input_std"):
        if not torch.equal(torch.tensor(metadata["normalization"][name], dtype=torch.float32), state[name]):
            raise ReleaseError(f"{METADATA}: normalization.{name} differs from {name} in {SAFETENSORS}")
    if architecture_of(metadata) == "batchtopk" and metadata["architecture"].get("threshold") != float(
            state["threshold"]):
        raise ReleaseError(f"{METADATA}: architecture.threshold differs from threshold in {SAFETENSORS}")


def format_file(fmt: str) -> str:
    return {"raw": "W_enc/W_dec/b_enc/b_dec"}.get(fmt, format_files(fmt)[0])


def format_outputs(root: Path, fmt: str, state: dict[str, torch.Tensor], k: int, x: torch.Tensor,
                   architecture: str = "topk") -> Outputs:
    """The forward of one format: the ONNX graph itself through onnxruntime, the others' tensors in the SAE."""
    if fmt == "onnx":
        return onnx_outputs(root / ONNX, x)
    return torch_outputs(sae_class(architecture).from_state_dict(state, k), x)


def verify_release(path: Path, n_inputs: int = 64, atol: float = 1e-4) -> VerifyReport:
    """Verify the release folder `path`; returns the report, raises ReleaseError naming the first bad file."""
    root = Path(path)
    if not root.is_dir():
        raise ReleaseError(f"{root}: not a folder")
    report = VerifyReport(path=root, n_inputs=n_inputs)
    check_manifest(root, read_manifest(root), report)
    metadata = read_json_object(root / METADATA, ReleaseError)
    arch, kind = metadata["architecture"], architecture_of(metadata)
    primary = read_format(root, "safetensors", metadata)
    check_shapes(primary, arch, format_file("safetensors"))
    check_metadata_agrees(root, metadata, primary)
    reference = sae_class(kind).from_state_dict(primary, arch["k"])
    theta = float(primary["threshold"]) if kind == "batchtopk" else None
    x = random_inputs(primary, n_inputs)
    ref = torch_outputs(reference, x)
    with torch.no_grad():
        pre = reference.encode_pre(reference.normalize(x))
    mean, std = primary["input_mean"], primary["input_std"]
    for fmt in present_formats(root, metadata):
        if fmt == "safetensors":
            continue
        # One format's tensors in memory at a time: at the reference size each holds 2 GB of weights.
        state = read_format(root, fmt, metadata)
        check_shapes(state, arch, format_file(fmt))
        result = agreement(ref, format_outputs(root, fmt, state, arch["k"], x, kind), pre, mean, std, atol, theta)
        del state
        if not result.ok:
            raise ReleaseError(f"{format_file(fmt)}: computes a different function from {SAFETENSORS} (max "
                               f"relative error {result.max_rel_error:.3g} > {result.tolerance:.3g}, "
                               f"{result.wrong_rows} rows select other latents)")
        report.formats[fmt] = result
    promised = metadata.get("export", {}).get("formats", [])
    for fmt, read in (("saelens", read_saelens), ("sparsify", read_sparsify)):
        if fmt in promised and not (root / fmt).is_dir():
            raise ReleaseError(f"{fmt}/: missing, but {METADATA} lists the {fmt} format")
        if (root / fmt).is_dir():
            result = agreement(ref, torch_outputs(read(root / fmt), x), pre, mean, std, atol, theta)
            if not result.ok:
                raise ReleaseError(f"{fmt}/: computes a different function from {SAFETENSORS} (max relative "
                                   f"error {result.max_rel_error:.3g} > {result.tolerance:.3g})")
            report.formats[fmt] = result
    return report
