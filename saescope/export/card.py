"""The model card (README.md) of a release, generated from its metadata and manifest provenance with the
Qwen3-8B l36 release card's sections, so every release documents the same things in the same places."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from saescope.config.schema import SAMPLE_SOURCE
from saescope.export.snippets import hub_snippet, numpy_loader, sdk_snippet
from saescope.release.errors import ReleaseError
from saescope.release.hub import activations_hub_id, base_model_id, hub_id
from saescope.release.layout import (
    CARD,
    INDEX_DIR,
    MANIFEST,
    METADATA,
    ONNX,
    ONNX_DATA,
    PT,
    RAW_TENSORS,
    SAFETENSORS,
    architecture_of,
)
from saescope.release.manifest import safe_member
from saescope.utils.atomic import read_json_object

TAGS = ["sparse-autoencoder", "topk-sae", "interpretability", "saescope"]
SDK_REPO = "saescope"

FILE_DESCRIPTIONS = {
    SAFETENSORS: "primary checkpoint for loading the SAE weights and metadata.",
    METADATA: "architecture, normalization, model, training, data and export metadata.",
    PT: "PyTorch checkpoint export (load with `torch.load(path, weights_only=True)`).",
    ONNX: "ONNX export of the forward pass x -> (x_hat, top-k indices, top-k values), dynamic batch axis.",
    ONNX_DATA: "external weights of model.onnx (kept next to it).",
    MANIFEST: "release inventory (bytes, sha256, role of every file) and provenance summary.",
    CARD: "this model card.",
}
FORMAT_NAMES = {"safetensors": "safetensors", "pt": "PyTorch .pt", "onnx": "ONNX", "raw": "raw tensor files",
                "saelens": "a SAELens folder", "sparsify": "an EleutherAI sparsify folder"}


def bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def code(text: str, lang: str = "python") -> str:
    return f"```{lang}\n{text.rstrip()}\n```"


def number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def english_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + ", and " + items[-1]


def layer_number(label: str | None) -> str:
    return label[1:] if label and label.startswith("l") else str(label)


def front_matter(meta: dict[str, Any]) -> str:
    data = meta["data"]
    datasets = [d for d in (hub_id(data["raw_dataset"]), activations_hub_id(data["activations"])) if d]
    fm: dict[str, Any] = {"library_name": "saescope"}
    base = base_model_id(meta["model"]["name"])
    if base:
        fm["base_model"] = base
    if datasets:
        fm["datasets"] = datasets
    fm["tags"] = TAGS
    return "---\n" + yaml.safe_dump(fm, sort_keys=False) + "---"


def kind(meta: dict[str, Any]) -> str:
    """The architecture's display name: TopK or BatchTopK."""
    return "BatchTopK" if architecture_of(meta) == "batchtopk" else "TopK"


def title(meta: dict[str, Any]) -> str:
    model = (meta["model"]["name"] or "unknown model").rsplit("/", 1)[-1]
    return f"# {model} Layer {layer_number(meta['model']['layer_label'])} {kind(meta)} SAE"


def intro(meta: dict[str, Any], index: dict[str, Any] | None) -> str:
    model = meta["model"]["name"]
    layer = layer_number(meta["model"]["layer_label"])
    tail = ", together with a reverse feature index for exploring learned features" if index else ""
    return (f"This repository contains a {kind(meta)} sparse autoencoder (SAE) trained on {model} residual-stream "
            f"activations at layer {layer}{tail}.")


def sae_type(arch: dict[str, Any]) -> str:
    aux = arch.get("aux_k") and arch.get("aux_coef")
    name = "BatchTopK SAE" if arch.get("type") == "batchtopk" else "TopK SAE"
    return f"{name} with AuxK dead-feature recovery" if aux else name


def sparsity_line(arch: dict[str, Any]) -> str:
    if arch.get("type") != "batchtopk":
        return f"TopK sparsity: k={arch['k']}"
    return (f"BatchTopK sparsity: k={arch['k']} per token on average in training (the batch's B*k largest "
            f"activations); inference threshold {arch['threshold']:.6g}, at most k_cap={arch['k_cap']} latents per "
            "token")


def release_summary(meta: dict[str, Any], prov: dict[str, Any]) -> str:
    arch, model, training, export = meta["architecture"], meta["model"], meta["training"], meta["export"]
    formats = english_list([FORMAT_NAMES[f] for f in export["formats"]])
    return "## Release Summary\n\n" + bullets([
        f"Repository: {prov['repo_id'] or 'not published yet (local release)'}",
        f"Base model: {model['name']}",
        f"Base model revision: {model['revision'] or 'not pinned (the default branch at harvest time)'}",
        f"SAE hookpoint: {model['hookpoint']}",
        f"Layer label: {model['layer_label']}",
        f"SAE type: {sae_type(arch)}",
        f"Input width: {arch['d_in']}",
        f"SAE width: {arch['d_sae']}",
        sparsity_line(arch),
        f"Published checkpoint: {export['checkpoint']}",
        f"Training tokens seen by the published checkpoint: {number(training['tokens_seen'])}",
        f"Export formats: {formats}",
    ])


def files_section(files: list[str], index: dict[str, Any] | None = None) -> str:
    core = [f"{name}: {FILE_DESCRIPTIONS[name]}" for name in (SAFETENSORS, METADATA, PT, ONNX, ONNX_DATA)
            if name in files]
    raw = [name for name in RAW_TENSORS if name in files]
    if raw:
        core.append(f"{', '.join(raw)}: raw tensors (little-endian float32, C order, shapes in model.metadata.json) "
                    "for lightweight custom loaders.")
    core.append(f"{MANIFEST}: {FILE_DESCRIPTIONS[MANIFEST]}")
    text = "## Files\n\nCore SAE artifacts:\n\n" + bullets(core)
    index_files = [f for f in files if f.startswith(f"{INDEX_DIR}/")]
    if index_files:
        text += "\n\nReverse feature index artifacts:\n\n" + bullets(index_files)
    if index_files and index and {"conversations_indexed", "activation_records_indexed"} <= index.keys():
        text += (f"\n\nThe reverse index was built over {number(index['conversations_indexed'])} conversations and "
                 f"{number(index['activation_records_indexed'])} activation records. It found "
                 f"{number(index.get('active_features', 0))} active features and stores "
                 f"{number(index.get('prompt_rows', 0))} top prompt rows.")
    return text


def loading_section(meta: dict[str, Any], prov: dict[str, Any], files: list[str]) -> str:
    repo_id = prov["repo_id"] or suggested_repo_id(meta)
    index_files = [f for f in files if f.startswith(f"{INDEX_DIR}/")]
    parts = ["## Loading Artifacts", code(hub_snippet(repo_id, index_files)),
             "With the saescope SDK (checksums are checked against release_manifest.json):", code(sdk_snippet(repo_id))]
    if all(name in files for name in RAW_TENSORS):
        parts += ["Without saescope or torch, numpy alone reads the raw tensors and model.metadata.json and "
                  "reproduces encode/decode:", code(numpy_loader(architecture_of(meta)))]
    parts.append(f"The project SDK used to train, export, evaluate, index, and steer with these SAEs is {SDK_REPO} "
                 f"(version {meta['export']['saescope_version']}).")
    return "\n\n".join(parts)


def suggested_repo_id(meta: dict[str, Any]) -> str:
    model = (meta["model"]["name"] or "model").rsplit("/", 1)[-1].lower()
    name = architecture_of(meta)
    return f"your-username/{model}-sae-{meta['model']['layer_label']}-{name}{meta['architecture']['k']}"


def architecture_section(meta: dict[str, Any]) -> str:
    arch, norm = meta["architecture"], meta["normalization"]
    aux = (f"AuxK was used with TopK for dead-feature recovery (aux_k={arch.get('aux_k')}, "
           f"coefficient {arch.get('aux_coef')}): dead latents are trained to reconstruct the residual error, a "
           "simple recovery mechanism that is not coupled to the sparsity target."
           if arch.get("aux_k") and arch.get("aux_coef") else "No AuxK dead-feature loss was used.")
    if arch.get("type") == "batchtopk":
        return batchtopk_architecture(arch, norm, aux)
    return "\n\n".join([
        "## Architecture And Rationale",
        "This release uses a TopK SAE rather than JumpReLU or batch-topk.",
        "TopK was chosen because it enforces exact-k sparsity directly. The sparsity target is explicit, rather "
        "than mediated through an L1 coefficient or JumpReLU's L0 penalty coefficient.",
        aux,
        "Batch-topk was intentionally not used: per-token TopK keeps diagnostics and checkpoint interpretation "
        "simple, with fewer interacting sparsity mechanisms.",
        f"Inputs are standardised per dimension ({norm['method']}, estimated on {number(norm['tokens'])} tokens, "
        f"std floored at {norm['std_floor']}{outlier_text(norm)}). The forward function:",
        code(arch["forward"], "text"),
    ])


def batchtopk_architecture(arch: dict[str, Any], norm: dict[str, Any], aux: str) -> str:
    return "\n\n".join([
        "## Architecture And Rationale",
        "This release uses a BatchTopK SAE (Bussmann, Leask and Nanda 2024, arXiv 2412.06410).",
        f"In training each batch of B tokens kept its B*k largest pre-activations (k={arch['k']}), so the number of "
        "active latents averages k per token but varies with the token. At inference a single threshold replaces the "
        f"batch: a latent fires when its pre-activation exceeds threshold={arch['threshold']:.6g}, the running "
        "average of each training batch's smallest kept activation, so encoding one token does not depend on the "
        f"others. The code holds at most k_cap={arch['k_cap']} latents per token (the largest above the threshold; "
        "values 0 do not fire).",
        aux.replace("with TopK", "with BatchTopK"),
        f"Inputs are standardised per dimension ({norm['method']}, estimated on {number(norm['tokens'])} tokens, "
        f"std floored at {norm['std_floor']}{outlier_text(norm)}). The forward function:",
        code(arch["forward"], "text"),
    ])


def outlier_text(norm: dict[str, Any]) -> str:
    if norm.get("outlier_norm") is None:
        return ""
    return (f"; {number(norm.get('outliers_excluded') or 0)} outlier tokens with a norm above "
            f"{norm['outlier_norm']:,.1f} ({norm.get('outlier_factor')}x the median: attention sinks) were left out "
            "of the estimate but not out of training")


def dataset_text(name: str | None) -> str:
    if name == SAMPLE_SOURCE:
        return f"{name} (the lmsys-chat-1m-schema conversation sample shipped with saescope)"
    return str(name)


def wandb_text(wandb: dict[str, str] | None) -> str:
    if not wandb:
        return "none (not logged to wandb)"
    return f"project {wandb['project']}, run id {wandb.get('run_id', 'unknown')}"


def provenance_section(meta: dict[str, Any]) -> str:
    model, data, training, export = meta["model"], meta["data"], meta["training"], meta["export"]
    return "## Training Data Provenance\n\n" + bullets([
        f"Raw conversation dataset: {dataset_text(data['raw_dataset'])}",
        f"Activation dataset: {data['activations']}",
        f"Activation dataset manifest sha256: {data['activations_manifest_sha256']}",
        f"Base model: {model['name']}",
        f"Base model revision: {model['revision'] or 'not pinned'}",
        f"Model dtype during harvesting: {model['dtype']}",
        f"Attention implementation: {model['attn_implementation']}",
        f"WandB run: {wandb_text(training['wandb'])}",
        f"Export timestamp in metadata: {export['exported_at']}",
    ]) + ("\n\nThe exported model.metadata.json preserves the exact normalizer statistics used by the checkpoint, "
          "including full input_mean and input_std vectors.")


def ran_as(requested: str | None, used: str | None) -> str:
    """Where the run computed in another dtype than it asked for (bf16 without native support), say so."""
    return f" (computed in {used}: no native bf16 on the training device)" if used and used != requested else ""


def hyperparameters_section(meta: dict[str, Any]) -> str:
    training = meta["training"]
    h = training["hyperparameters"]
    main = [
        f"Live run name: {training['run_name']}",
        f"Optimizer: Adam(beta1={h.get('beta1')},beta2={h.get('beta2')})",
        f"Learning rate: {h.get('lr') if h.get('lr') is not None else h.get('lr_used')}"
        + (" (the width- and batch-scaled default)" if h.get("lr") is None else ""),
        f"Learning-rate decay: linear to 0 over the last {h.get('lr_decay_fraction', 0):.0%} of the tokens",
        f"Attention-sink weight in the loss: {h.get('sink_loss_weight', 1.0)}",
        f"Batch size: {number(h.get('batch_size'))}",
        f"AuxK coefficient: {h.get('aux_coef')}",
        f"AuxK features: {h.get('aux_k')}",
        f"Warmup tokens: {number(h.get('warmup_tokens'))}",
        f"Prefetch shards: {h.get('prefetch_shards')}",
        f"Decoded prefetch shards: {h.get('decoded_prefetch_shards')}",
        f"Shuffle buffer: {number(h.get('shuffle_buffer'))}",
        f"CPU prefetch batches: {h.get('cpu_prefetch_batches')}",
        f"Autocast dtype: {h.get('autocast_dtype')}{ran_as(h.get('autocast_dtype'), h.get('compute_dtype'))}",
        f"CUDA allocator config: {h.get('cuda_alloc_conf')}",
    ]
    metrics = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in training["metrics"].items())
    return "\n\n".join([
        "## Training Hyperparameters", bullets(main),
        f"Training metrics of the published checkpoint (mean since the previous save): {metrics or 'not recorded'}.",
        "Every hyperparameter, as recorded in model.metadata.json:",
        code(json.dumps(h, indent=2, sort_keys=True), "json"),
    ])


def checkpoint_section(meta: dict[str, Any]) -> str:
    h, export = meta["training"]["hyperparameters"], meta["export"]
    reasons = "; ".join(export["selected_because"]) or "it was exported directly (no registry entry)"
    return "\n\n".join([
        "## Checkpoint Policy",
        f"The trainer was configured to keep the {h.get('best_checkpoint_count')} best checkpoints plus the final "
        f"checkpoint locally, exporting each retained checkpoint as {english_list(h.get('export_formats') or ['-'])}.",
        bullets([f"save_every: {h.get('save_every')}", f"best_checkpoint_count: {h.get('best_checkpoint_count')}",
                 f"best_checkpoint_metric: {h.get('best_checkpoint_metric')}",
                 f"best_checkpoint_mode: {h.get('best_checkpoint_mode')}",
                 f"export_formats: {json.dumps(h.get('export_formats'))}"]),
        f"This release publishes {export['checkpoint']} (step {export['checkpoint_step']}), retained because: "
        f"{reasons}.",
    ])


def index_section(meta: dict[str, Any], index: dict[str, Any] | None, prov: dict[str, Any]) -> str:
    head = "## Reverse Feature Index"
    if not index:
        return (f"{head}\n\nNot built yet: this release has no reverse feature index. Once one is built over the "
                "activation dataset with this SAE, its files are published under reverse-index/.")
    # The Qwen3-8B l36 card's indexing bullets, from the summary's keys (a key the summary lacks is left out).
    labels = {"batch_size": "Batch size", "context_tokens": "Context window around firing token (tokens)",
              "top_examples": "Stored prompt examples per feature (top)",
              "conversations_indexed": "Conversations indexed",
              "activation_records_indexed": "Activation records indexed", "active_features": "Active features found",
              "prompt_rows": "Top prompt rows stored", "sae_weights_sha256": "SAE weights sha256 (format-independent)"}
    facts = [f"{label}: {number(index[key])}" for key, label in labels.items() if key in index]
    return "\n\n".join([
        head,
        "The reverse index maps SAE features to high-activation prompt examples from the activation dataset. It is "
        "intended for feature discovery, interpretation, and steering-feature selection.",
        "Indexing setup:",
        bullets([f"SAE checkpoint: this repository's {SAFETENSORS}",
                 f"Activation source: {meta['data']['activations']}",
                 f"Raw prompt source: {meta['data']['raw_dataset']}",
                 f"Layer: {meta['model']['layer_label']}", f"Hookpoint: {meta['model']['hookpoint']}",
                 f"Summary: {prov['reverse_index_summary']['path']} "
                 f"(sha256 {prov['reverse_index_summary']['sha256']})", *facts]),
        "The examples are not labels; they are evidence for human or LLM-assisted interpretation.",
    ])


def evaluation_section(prov: dict[str, Any]) -> str:
    lines = prov.get("evaluation_snapshots") or []
    if not lines:
        return "## Evaluation Snapshots\n\nNone yet: no evaluation has been run on this checkpoint."
    return "## Evaluation Snapshots\n\n" + bullets(lines)


def reproduction_section(meta: dict[str, Any]) -> str:
    model, arch, data = meta["model"], meta["architecture"], meta["data"]
    return "\n\n".join([
        "## Reproduction Notes", "To reproduce this SAE as closely as possible, match:",
        bullets([f"Base model {model['name']} at revision {model['revision'] or '(not pinned)'}",
                 f"Hookpoint {model['hookpoint']}",
                 f"Raw text source {dataset_text(data['raw_dataset'])}",
                 f"Activation source {data['activations']} (manifest sha256 {data['activations_manifest_sha256']})",
                 f"{kind(meta)} SAE with d_sae={arch['d_sae']} and k={arch['k']}",
                 "Hyperparameters and checkpoint policy listed above",
                 "Saved normalizer statistics in model.metadata.json",
                 "Retained-checkpoint selection logic described in this model card"]),
        "`saescope verify <release>` re-checks every checksum in release_manifest.json and that the safetensors, "
        ".pt, ONNX and raw exports compute the same function.",
    ])


def limitations_section() -> str:
    return "## Limitations\n\n" + bullets([
        "This is a research artifact, not a production safety system.",
        "The reverse index provides high-activation examples, not ground-truth feature labels.",
        "Steering reliability must be evaluated per feature before using a feature in a demo or intervention.",
        "The SAE was trained on activations of one model, hookpoint and data distribution; it is not expected to "
        "transfer to other layers, models or very different text.",
    ])


def render_card(meta: dict[str, Any], prov: dict[str, Any], files: list[str],
                index: dict[str, Any] | None) -> str:
    """README.md text; `files` are the release's files, `index` the parsed reverse-index summary if any."""
    sections = [front_matter(meta), title(meta), intro(meta, index), release_summary(meta, prov),
                files_section(files, index), loading_section(meta, prov, files), architecture_section(meta),
                provenance_section(meta), hyperparameters_section(meta), checkpoint_section(meta),
                index_section(meta, index, prov), evaluation_section(prov), reproduction_section(meta),
                limitations_section()]
    return "\n\n".join(sections) + "\n"


def read_index_summary(release: Path, prov: dict[str, Any]) -> dict[str, Any] | None:
    entry = prov.get("reverse_index_summary")
    if not entry:
        return None
    return read_json_object(safe_member(release, entry.get("path")), ReleaseError)
