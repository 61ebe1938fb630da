"""Reading a trained SAE, below every stage that uses one: release folders (`layout`, `manifest`, `formats`,
`metadata`), training checkpoints and their `registry`, SAELens / sparsify folders (`peers`), hub repos (`hub`),
`load_sae`, the public `Sae`, and `load_sae_or_run`, what eval, index and steer accept as an SAE. Writing
releases is the export stage's (`saescope.export`)."""

from saescope.release.errors import ReleaseError
from saescope.release.load import load_sae
from saescope.release.sae import Sae
from saescope.release.select import load_sae_or_run, select_checkpoint

__all__ = ["ReleaseError", "Sae", "load_sae", "load_sae_or_run", "select_checkpoint"]
