"""FLOPs, memory traffic and memory of the kernels each stage runs, as the code runs them.

Language model (harvest, core-plus). A forward costs 2 x (matmul parameters met) FLOPs per token plus attention,
2 x 2 x heads x head_dim x context per block (QK^T and AV; with a padding mask SDPA computes the whole square, so
the context is the batch's width, taken as the mean conversation length). Harvest stops after the deepest
hookpoint's block (`saescope.lm.hookpoints`): no later block and no LM head.

SAE training step (`saescope.sae.kernels._FusedTopKEncode`, `saescope.sae.losses`), b tokens on one GPU, d = d_in,
n = d_sae, n_dead = dead latents (AuxK), under bf16 autocast:

    encoder forward     2 b d n           dense GEMM (bf16), then top-k over n
    encoder backward    2 b k d           W_enc's gradient from the sparse code (an embedding-bag weight gradient);
                                          x needs no gradient, so there is no input-gradient GEMM (a dense backward
                                          would add 4 b d n)
    AuxK encoder        2 b d n_dead x 2  the dead columns' GEMM again (bf16), and its W_enc gradient
    decoder             2 b k d x 3       sparse gather forward; W_dec and code gradients backward
    AuxK decoder        2 b n_dead d x 3  dense over the dead rows: forward, then both gradients

Dense GEMMs are compute-bound; the sparse gathers are memory-bound: each reads b x k rows of d fp32 from HBM
(four passes: decode, W_dec gradient, code gradient, W_enc gradient; L2 reuse of frequent latents ignored).
Per parameter of each d x n matrix the step also streams, on every GPU whatever the batch: fused Adam (read p, g,
m, v; write p, m, v: 28 B), W_enc's bf16 cast (6 B), W_enc's gradient zero-fill and transpose (12 B), W_dec's
gradient zero-fill (4 B), the projection of W_dec's gradient off its rows (~44 B) and the row renormalisation
(12 B); AuxK's gathers of the dead rows and columns and their gradients (~36 B x dead fraction); DDP's copies into
and out of its gradient buckets (32 B over both matrices) when distributed.

SAE encode only (index) or encode + sparse decode (eval intrinsic): 2 b d n (+ 2 b k d) FLOPs, in fp32 (those
stages run no autocast), plus the dense pre-activations [b, n] fp32 written and read by top-k.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from saescope.plan.model import ModelShape

FP32 = 4
ADAM_MOMENTS = 2
ELEMENTWISE_BYTES_PER_D = 100  # per token: normalise, residual, losses, float64 batch metrics over [b, d_in]
PARAM_BYTES = {"W_enc": 46, "W_dec": 88}  # per matrix element per step (see the module docstring)
AUX_PARAM_BYTES = 36  # per matrix element, times the dead fraction
DDP_PARAM_BYTES = 32  # per matrix element (both matrices' gradients into and out of DDP's buckets)
SMALL_COLLECTIVES = 6  # per step when distributed: finite flag, metrics, moments, AuxK variance, fired mask, count


@dataclass(frozen=True)
class SaeShape:
    d_in: int
    d_sae: int
    k: int
    aux_k: int = 0
    dead_fraction: float = 0.0

    @property
    def matrix(self) -> int:
        """Elements of one of W_enc, W_dec."""
        return self.d_in * self.d_sae

    @property
    def params(self) -> int:
        """W_enc, W_dec, b_enc, b_dec (the normaliser's mean and std are buffers, not trained)."""
        return 2 * self.matrix + self.d_sae + self.d_in

    @property
    def n_dead(self) -> int:
        """Dead latents AuxK runs over (0 when aux_k is 0)."""
        return round(self.dead_fraction * self.d_sae) if self.aux_k > 0 else 0

    @property
    def weight_bytes(self) -> int:
        """fp32 parameters plus the normaliser's two d_in vectors: one checkpoint's or export's weights."""
        return FP32 * (self.params + 2 * self.d_in)

    @property
    def adam_bytes(self) -> int:
        return FP32 * ADAM_MOMENTS * self.params

    def to_dict(self) -> dict[str, float]:
        return asdict(self) | {"params": self.params, "n_dead": self.n_dead}


@dataclass(frozen=True)
class TrainStep:
    """One optimiser step on one GPU's `tokens` (see the module docstring for every term)."""

    tokens: int
    encoder_forward: float
    encoder_backward: float
    aux_encoder: float
    decoder: float
    aux_decoder: float
    hbm_bytes: float  # memory-bound traffic: gathers, elementwise passes, per-parameter streams

    @property
    def dense_flops(self) -> float:
        """GEMM FLOPs (compute-bound)."""
        return self.encoder_forward + self.aux_encoder + self.aux_decoder

    @property
    def sparse_flops(self) -> float:
        """Gather/scatter FLOPs (memory-bound: timed by `hbm_bytes`, not by these)."""
        return self.encoder_backward + self.decoder

    @property
    def flops(self) -> float:
        return self.dense_flops + self.sparse_flops

    def to_dict(self) -> dict[str, float]:
        return asdict(self) | {"dense_flops": self.dense_flops, "sparse_flops": self.sparse_flops,
                               "flops": self.flops}


def train_step(sae: SaeShape, tokens: int, distributed: bool) -> TrainStep:
    """FLOPs and HBM bytes of one training step over `tokens` rows on one GPU."""
    d, n, k, dead = sae.d_in, sae.d_sae, sae.k, sae.n_dead
    gathers = 4 * tokens * k * d * FP32
    dense_latents = tokens * (4 * n + 20 * dead)  # bf16 pre (write, top-k read); AuxK's dead-column buffers
    elementwise = tokens * ELEMENTWISE_BYTES_PER_D * d
    per_param = sum(PARAM_BYTES.values()) + AUX_PARAM_BYTES * sae.dead_fraction * (dead > 0)
    per_param += DDP_PARAM_BYTES if distributed else 0
    return TrainStep(
        tokens=tokens,
        encoder_forward=2 * tokens * d * n,
        encoder_backward=2 * tokens * k * d,
        aux_encoder=2 * 2 * tokens * d * dead,
        decoder=3 * 2 * tokens * k * d,
        aux_decoder=3 * 2 * tokens * dead * d,
        hbm_bytes=gathers + dense_latents + elementwise + per_param * sae.matrix,
    )


def train_device_bytes(sae: SaeShape, tokens: int, distributed: bool) -> float:
    """Peak HBM of one training GPU: fp32 parameters, gradients and Adam's two moments (16 B per parameter), DDP's
    buckets (4 B) when distributed, plus the larger of the forward's transients (bf16 W_enc, bf16 pre [b, n] and
    AuxK's [b, n_dead] buffers) and the backward's (W_enc's fp32 gradient and its transpose, the dead rows' copy
    and gradient), plus ~8 fp32 [b, d_in] activations alive throughout."""
    state = FP32 * sae.params * (2 + ADAM_MOMENTS) + (FP32 * sae.params if distributed else 0)
    forward = 2 * sae.matrix + tokens * (2 * sae.d_sae + 6 * sae.n_dead)
    backward = 2 * FP32 * sae.matrix + 2 * FP32 * sae.d_in * sae.n_dead + tokens * 4 * sae.n_dead
    return state + max(forward, backward) + 8 * FP32 * tokens * sae.d_in


def encode_flops(sae: SaeShape, records: float, decode: bool = False) -> float:
    """2 d n per record for the encoder GEMM, plus 2 k d for the sparse decode when `decode`."""
    return records * (2 * sae.matrix + (2 * sae.k * sae.d_in if decode else 0))


def encode_hbm_bytes(sae: SaeShape, records: float, decode: bool = False) -> float:
    """Memory-bound traffic of fp32 encoding: pre [records, n] written and read by top-k (8 n B per record), the
    input's casts (~12 d B), and with `decode` the k fp32 decoder rows gathered (4 k d B) and the outputs (~40 d B)."""
    per_record = 8 * sae.d_sae + 12 * sae.d_in + ((4 * sae.k + 40) * sae.d_in if decode else 0)
    return records * per_record


def lm_flops_per_token(shape: ModelShape, first: int, stop: int, context: float, head: bool = False) -> float:
    """Blocks first..stop-1 for one token (2 x their weights plus attention over `context`), plus the LM head's
    2 x vocab x d when `head`."""
    blocks = 2 * shape.blocks_params(first, stop) + (stop - first) * shape.attention_flops_per_token(context)
    return blocks + (2 * shape.vocab * shape.hidden if head else 0)


def lm_activation_bytes_per_token(shape: ModelShape, blocks: int, dtype_bytes: int) -> float:
    """HBM traffic of a forward's activations per token: ~12 d-wide and ~6 d_ff-wide reads or writes per block
    (norms, residual adds, projections' inputs and outputs, the gated MLP)."""
    return blocks * dtype_bytes * (12 * shape.hidden + 6 * shape.ffn)


def lm_device_bytes(shape: ModelShape, batch_tokens: int, dtype_bytes: int, captured: int) -> float:
    """Peak HBM of a forward over `batch_tokens`: every weight (the whole model is loaded even when the forward
    stops early), the widest transient (the MLP's gate and up outputs and their product, 3 x d_ff, beside ~4 d-wide
    tensors), and `captured` hookpoint outputs kept until the batch ends."""
    transient = batch_tokens * (4 * shape.hidden + 3 * shape.ffn) * dtype_bytes
    return shape.params * dtype_bytes + transient + captured * batch_tokens * shape.hidden * dtype_bytes
