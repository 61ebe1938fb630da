"""The export stage: write a training checkpoint as a self-describing release folder (safetensors, .pt, ONNX,
raw tensors, metadata, manifest, model card), verify one, and publish it. Reading releases is `saescope.release`."""

from saescope.export.release import export_release, set_repo_id
from saescope.export.retained import export_retained
from saescope.export.verify import VerifyReport, verify_release

__all__ = ["VerifyReport", "export_release", "export_retained", "set_repo_id", "verify_release"]
