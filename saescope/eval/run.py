"""`saescope eval`: intrinsic and core-plus figures for one or several SAEs, as the Qwen3-8B l36 card's snapshots."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import torch

from saescope import __version__
from saescope.config.schema import SaescopeConfig
from saescope.data.conversations import iter_conversations
from saescope.data.templating import TokenizedConversation, tokenize_conversation, tokenizer_fingerprint
from saescope.errors import SaescopeError
from saescope.eval.coreplus import core_plus
from saescope.eval.intrinsic import intrinsic_metrics
from saescope.harvest.dataset import ActivationDataset
from saescope.lm.loading import LoadedModel, load_model
from saescope.release.errors import ReleaseError
from saescope.release.select import load_sae_or_run, recorded_hookpoint
from saescope.sae.model import TopKSae
from saescope.utils.atomic import sha256_file, write_bytes_atomic, write_json_atomic
from saescope.utils.devices import resolve_device
from saescope.utils.markdown import table
from saescope.utils.precision import dtype_name
from saescope.utils.timestamps import utc_now


class EvalError(SaescopeError, ValueError):
    """An evaluation that would not measure what it says (e.g. on the SAE's own training data)."""


def sae_label(metadata: dict[str, Any], path: Path) -> str:
    step = metadata.get("training", {}).get("step")
    return f"step-{int(step):06d}" if step is not None else path.name


def snapshot_line(label: str, intrinsic: dict[str, Any], coreplus: dict[str, Any] | None) -> str:
    """The reference card's form: `step-005000: intrinsic fve=…, mse=…, dead=…, records=…; core-plus ce_score=…, …`."""
    line = (f"{label}: intrinsic fve={intrinsic['fve']:.6f}, mse={intrinsic['mse']:.6f}, "
            f"dead={intrinsic['dead']}, records={intrinsic['records']}")
    if coreplus is not None:
        line += (f"; core-plus ce_score={coreplus['ce_score']:.6f}, kl_score={coreplus['kl_score']:.6f}, "
                 f"tokens={coreplus['tokens']}")
    return line


def markdown_table(results: list[dict[str, Any]]) -> str:
    header = ["SAE", "fve", "fve, no sinks", "mse", "dead", "records", "L0", "ce_score", "kl_score", "tokens"]
    rows = []
    for r in results:
        i, c = r["intrinsic"], r.get("core_plus") or {}
        rows.append([r["label"], f"{i['fve']:.6f}", f"{i['fve_ordinary']:.6f}", f"{i['mse']:.6f}", str(i["dead"]),
                     str(i["records"]), f"{i['l0']:.1f}",
                     *(f"{c[k]:.6f}" if k in c else "-" for k in ("ce_score", "kl_score")), str(c.get("tokens", "-"))])
    return "\n".join(table(header, rows)) + "\n"


def intrinsic_shards(cfg: SaescopeConfig, dataset: ActivationDataset) -> tuple[list[int], bool]:
    """(the shards intrinsic metrics read, whether they are held out of training). With no held-out shards, all
    of them (the SAE's training data) only when eval.allow_training_data says so, and saying so."""
    held_out = dataset.held_out_shards(cfg.eval.heldout_fraction)
    if held_out:
        return held_out, True
    why = (f"{dataset.root} has no held-out shards (eval.heldout_fraction={cfg.eval.heldout_fraction}, "
           f"{dataset.num_shards} shard{'s' if dataset.num_shards != 1 else ''})")
    if not cfg.eval.allow_training_data:
        raise EvalError(f"{why}: evaluating would score the SAE on its training data; raise the fraction (as "
                        "train's) or set eval.allow_training_data to evaluate on all shards anyway")
    print(f"warning: {why}: evaluating on all of them, the SAE's training data (eval.allow_training_data)")
    return list(range(dataset.num_shards)), False


def evaluate_one(sae_path: Path, sae: TopKSae, metadata: dict[str, Any], cfg: SaescopeConfig,
                 dataset: ActivationDataset, shards: list[int], heldout: bool, lm: LoadedModel | None,
                 conversations: list[tuple[str, TokenizedConversation]]) -> dict[str, Any]:
    hookpoint = recorded_hookpoint(sae_path, metadata, dataset.hookpoints)
    intrinsic = intrinsic_metrics(sae, dataset, hookpoint, shards, cfg.eval.batch_size, cfg.eval.max_records,
                                  cfg.eval.outlier_factor)
    result: dict[str, Any] = {
        "label": sae_label(metadata, sae_path), "sae": str(sae_path), "sae_weights_sha256": sae.weights_sha256(),
        "hookpoint": hookpoint, "heldout": heldout, "intrinsic": intrinsic.to_dict(),
        "intrinsic_data": {"activations": str(dataset.root), "shards": shards,
                           "manifest_sha256": sha256_file(dataset.root / "manifest.json")},
    }
    if lm is not None:
        def reconstruct(h: torch.Tensor) -> torch.Tensor:
            return sae(h.float()).x_hat

        plus = core_plus(lm, hookpoint, reconstruct, [t for _, t in conversations], cfg.eval.coreplus_batch_tokens,
                         cfg.eval.score_tokens, cfg.eval.keep_special_tokens)
        result["core_plus"] = plus.to_dict()
        ids = json.dumps([conversation_id for conversation_id, _ in conversations]).encode()
        result["core_plus_data"] = {"source": cfg.data.source, "conversations": len(conversations),
                                    "conversation_ids_sha256": hashlib.sha256(ids).hexdigest(),
                                    "max_tokens": cfg.eval.coreplus_max_tokens, "model": cfg.model.name,
                                    "model_dtype": dtype_name(lm.dtype)}  # what ran
    result["snapshot_line"] = snapshot_line(result["label"], result["intrinsic"], result.get("core_plus"))
    if cfg.eval.firing_counts:
        result["firing_counts"] = intrinsic.firing_counts
    return result


def heldout_conversations(dataset: ActivationDataset, shards: list[int], n: int,
                          max_tokens: int) -> list[tuple[str, TokenizedConversation]]:
    """The first n conversations of the held-out shards, as the harvest tokenized and stored them (no SAE trained
    on them), cut to max_tokens."""
    chosen: list[tuple[str, TokenizedConversation]] = []
    for shard in shards:
        for index in dataset.shard(shard).get("conv.index").tolist():
            conv = dataset.conversation(index)
            full = len(conv.token_ids)
            tokens = TokenizedConversation(conv.token_ids[:max_tokens].numpy(), conv.roles[:max_tokens].numpy(),
                                           conv.turns[:max_tokens].numpy(), conv.truncated or full > max_tokens,
                                           full)
            chosen.append((conv.conversation_id, tokens))
            if len(chosen) == n:
                return chosen
    return chosen


def coreplus_conversations(cfg: SaescopeConfig, dataset: ActivationDataset,
                           lm: LoadedModel) -> tuple[list[tuple[str, TokenizedConversation]], str]:
    """(conversations, where they come from): the activation dataset's held-out shards when there are any and the
    model's tokenizer is the harvest's, so the SAE is scored on text it never trained on; else the first
    conversations of the data section, tokenized here."""
    shards = dataset.held_out_shards(cfg.eval.heldout_fraction)
    harvested = dataset.manifest.get("tokenizer", {}).get("tokenizer_sha256")
    if shards and harvested == tokenizer_fingerprint(lm.tokenizer)["tokenizer_sha256"]:
        chosen = heldout_conversations(dataset, shards, cfg.eval.coreplus_conversations, cfg.eval.coreplus_max_tokens)
        return chosen, f"held-out shards {shards} of {dataset.root}"
    data = cfg.data.model_copy(update={"max_conversations": cfg.eval.coreplus_conversations})
    chosen = [(conv.conversation_id, tokenize_conversation(lm.tokenizer, conv.messages, cfg.eval.coreplus_max_tokens))
              for conv in iter_conversations(data)]
    return chosen, f"first conversations of {cfg.data.source}"


def evaluate(cfg: SaescopeConfig, sae_paths: list[Path]) -> list[dict[str, Any]]:
    """Evaluate each SAE (release, checkpoint or training run), write `<out>/<label>.json` per SAE, and the
    snapshot lines and a markdown table over all of them."""
    out = Path(cfg.eval.out)
    saes = [load_sae_or_run(path) for path in sae_paths]  # an unusable SAE fails before the model loads
    dataset = ActivationDataset.open(cfg.eval.activations or cfg.train.activations)
    for source, sae, metadata in saes:
        recorded_hookpoint(source, metadata, dataset.hookpoints)
        if sae.d_in != dataset.d_model:
            raise ReleaseError(f"SAE {source} has d_in {sae.d_in}, but the activation dataset {dataset.root} has "
                               f"d_model {dataset.d_model}: they come from different models")
    shards, heldout = intrinsic_shards(cfg, dataset)
    lm = load_model(cfg.model) if cfg.eval.coreplus else None
    conversations: list[tuple[str, TokenizedConversation]] = []
    origin = None
    if lm is not None:
        conversations, origin = coreplus_conversations(cfg, dataset, lm)
    # One device for the model and the SAE: core-plus splices the SAE into the model's forward.
    device = lm.device if lm is not None else resolve_device(cfg.model.device)
    results = []
    for source, sae, metadata in saes:
        result = evaluate_one(source, sae.to(device), metadata, cfg, dataset, shards, heldout, lm, conversations)
        if "core_plus_data" in result:
            result["core_plus_data"]["origin"] = origin
        counts = result.pop("firing_counts", None)
        if counts is not None:
            counts_table = pa.table({"latent": list(range(len(counts))), "firing_count": counts.tolist()})
            out.mkdir(parents=True, exist_ok=True)
            pq.write_table(counts_table, out / f"{result['label']}.firing_counts.parquet")
        result |= {"evaluated_at": utc_now(), "saescope_version": __version__}
        write_json_atomic(out / f"{result['label']}.json", result)
        print(result["snapshot_line"])
        results.append(result)
    write_bytes_atomic(out / "snapshots.txt", "".join(r["snapshot_line"] + "\n" for r in results).encode())
    write_bytes_atomic(out / "results.md", markdown_table(results).encode())
    return results
