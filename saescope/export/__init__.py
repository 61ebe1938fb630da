"""Releases of trained SAEs: export a checkpoint to a self-describing folder (safetensors, .pt, ONNX, raw
tensors, metadata, manifest, model card), verify one, and load an SAE from a release, the hub or a checkpoint."""

from saescope.export.errors import ReleaseError
from saescope.export.load import load_sae
from saescope.export.release import export_release, set_repo_id
from saescope.export.retained import export_retained
from saescope.export.verify import VerifyReport, verify_release

__all__ = ["ReleaseError", "VerifyReport", "export_release", "export_retained", "load_sae", "set_repo_id",
           "verify_release"]
