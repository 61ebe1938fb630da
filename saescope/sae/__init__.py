"""TopK and BatchTopK sparse autoencoders: model, losses, dead-latent tracking and the input normaliser."""

from saescope.sae.batchtopk import BatchTopKSae, build_sae, sae_class
from saescope.sae.kernels import SparseCode, fused_topk_encode, sparse_decode
from saescope.sae.losses import DeadLatentTracker, FveAccumulator, auxk_loss, auxk_loss_from_code, fve, mse_loss
from saescope.sae.model import (
    STATE_DICT_KEYS,
    ForwardOutput,
    SaeConfig,
    TopKSae,
    TrainingOutput,
    geometric_median,
    init_b_dec,
    init_weights,
)
from saescope.sae.normalizer import MomentsEstimate, RunningMoments, apply_to, estimate_moments

__all__ = [
    "STATE_DICT_KEYS",
    "BatchTopKSae",
    "DeadLatentTracker",
    "ForwardOutput",
    "FveAccumulator",
    "MomentsEstimate",
    "RunningMoments",
    "SaeConfig",
    "SparseCode",
    "TopKSae",
    "TrainingOutput",
    "apply_to",
    "auxk_loss",
    "auxk_loss_from_code",
    "build_sae",
    "estimate_moments",
    "fused_topk_encode",
    "fve",
    "geometric_median",
    "init_b_dec",
    "init_weights",
    "mse_loss",
    "sae_class",
    "sparse_decode",
]
