"""saescope: TopK sparse autoencoders on LLM residual streams, from harvest to steering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from saescope.harvest.dataset import ActivationDataset
    from saescope.release.sae import Sae

__all__ = ["ActivationDataset", "Sae", "__version__"]

# The public classes load torch: import them on first use, so `saescope --help` and `import saescope` stay fast.
_LAZY = {"Sae": "saescope.release.sae", "ActivationDataset": "saescope.harvest.dataset"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'saescope' has no attribute {name!r}")
