"""How much work each stage of the GPU check does: the full check, and `--small` for the test suite."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    conversations: int  # data.max_conversations of the harvest
    max_tokens: int  # data.max_tokens_per_conversation
    shard_records: int  # small shards: the last is held out for eval, so there must be several
    d_sae: int  # the short training run's SAE width (SmolLM2's d_model is 576)
    batch_size: int
    train_steps: int
    coreplus_conversations: int
    coreplus_max_tokens: int
    new_tokens: int  # steer: tokens generated per continuation
    ref_d_sae: int  # the reference shape's width (65,536; reduced by --small)
    ref_cpu_batch: int  # tokens per compared training step on both devices (the CPU must finish them)
    ref_steps: int  # compared training steps
    ref_cpu_records: int  # records encoded on both devices and compared
    ref_device_batch: int  # tokens per timed training step on the device
    ref_device_records: int  # records encoded for the device's timing
    ref_timed_steps: int


FULL = Sizes(conversations=48, max_tokens=256, shard_records=2048, d_sae=4608, batch_size=512, train_steps=40,
             coreplus_conversations=8, coreplus_max_tokens=128, new_tokens=12, ref_d_sae=65536, ref_cpu_batch=256,
             ref_steps=3, ref_cpu_records=1024, ref_device_batch=4096, ref_device_records=16384, ref_timed_steps=10)
SMALL = Sizes(conversations=8, max_tokens=64, shard_records=128, d_sae=1152, batch_size=128, train_steps=8,
              coreplus_conversations=2, coreplus_max_tokens=48, new_tokens=4, ref_d_sae=2048, ref_cpu_batch=128,
              ref_steps=3, ref_cpu_records=256, ref_device_batch=1024, ref_device_records=2048, ref_timed_steps=3)
