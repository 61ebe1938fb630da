"""saescope: TopK sparse autoencoders on LLM residual streams, from harvest to steering."""

__version__ = "0.1.0"

from saescope.export.sae import Sae
from saescope.harvest.dataset import ActivationDataset

__all__ = ["ActivationDataset", "Sae", "__version__"]
