"""The `saescope` command: parses a config file plus flags and calls the library, one subcommand a stage.

Every field of a stage's config sections is a flag `--section.field` whose help is the field's
description, so the schema in `saescope.config.schema` is the single source of the CLI's options.
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

import click
from pydantic import BaseModel

from saescope.cli_features import features_group
from saescope.cli_serve import serve_command
from saescope.config.loading import EXPLICIT_NONE, ConfigError, load_config
from saescope.config.schema import SaescopeConfig


def _scalar_type(annotation: Any) -> tuple[Any, bool]:
    """(click type, is_list) for a field annotation; Optional[...] is unwrapped."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _scalar_type(args[0])
    if origin is list:
        return _scalar_type(get_args(annotation)[0])[0], True
    if origin is typing.Literal:
        return click.Choice([str(a) for a in get_args(annotation)]), False
    return {int: int, float: float, bool: bool, str: str}.get(annotation, str), False


def _optional(annotation: Any) -> bool:
    return get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in get_args(annotation)


class _OrNone(click.ParamType):
    """A value of `kind`, or `none` to set an optional field to None (its default, or a YAML value, overridden)."""

    def __init__(self, kind: Any) -> None:
        self.kind = click.types.convert_type(kind)
        self.name = f"{self.kind.name}|none"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.lower() == "none":
            return EXPLICIT_NONE
        return self.kind.convert(value, param, ctx)


def section_options(section: str) -> list[click.Option]:
    model: type[BaseModel] = SaescopeConfig.model_fields[section].annotation  # type: ignore[assignment]
    options = []
    for name, field in model.model_fields.items():
        flag = f"--{section}.{name.replace('_', '-')}"
        dest = f"{section}__{name}"
        kind, is_list = _scalar_type(field.annotation)
        help_text = field.description or ""
        if kind is bool:
            negative = f"--{section}.no-{name.replace('_', '-')}"
            options.append(click.Option([f"{flag}/{negative}", dest], default=None, help=help_text))
        elif is_list:
            options.append(click.Option([flag, dest], type=_OrNone(str) if _optional(field.annotation) else str,
                                        default=None, help=f"{help_text} Comma-separated."))
        else:
            options.append(click.Option([flag, dest], type=_OrNone(kind) if _optional(field.annotation) else kind,
                                        default=None, help=help_text))
    return options


def overrides_from(params: dict[str, Any]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for dest, value in params.items():
        if "__" not in dest or value is None:
            continue
        section, name = dest.split("__", 1)
        field = SaescopeConfig.model_fields[section].annotation.model_fields[name]  # type: ignore[union-attr]
        if _scalar_type(field.annotation)[1] and value is not EXPLICIT_NONE:
            value = [v.strip() for v in value.split(",") if v.strip()]
        overrides[f"{section}.{name}"] = value
    return overrides


def sae_argument() -> click.Argument:
    return click.Argument(["sae"], type=click.Path(exists=True))  # a release, checkpoint or training run


def stage_command(name: str, sections: list[str], help_text: str, own: Sequence[click.Parameter] = ()) -> Callable:
    """Decorate `fn(cfg, **rest)` into a `saescope` subcommand with the command's `own` arguments and options,
    --config, and one flag per config field of `sections`."""

    def decorate(fn: Callable[..., None]) -> click.Command:
        def callback(config: str | None, **params: Any) -> None:
            try:
                cfg = load_config(config, overrides_from(params))
            except ConfigError as e:
                raise click.UsageError(str(e)) from e
            rest = {k: v for k, v in params.items() if "__" not in k}
            fn(cfg, **rest)

        params: list[click.Parameter] = [
            *own, click.Option(["--config", "-c"], type=click.Path(dir_okay=False), help="YAML config file.")
        ]
        for section in sections:
            params += section_options(section)
        command = click.Command(name, callback=callback, params=params, help=help_text)
        main.add_command(command)
        return command

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="saescope")
def main() -> None:
    """saescope: harvest activations, train TopK SAEs, and study their features."""


@stage_command("harvest", ["model", "data", "harvest"], "Store residual-stream activations of a model over "
               "chat conversations in a sharded dataset. Resumes when run again after a kill; under "
               "`torchrun --nproc-per-node N` the ranks split the conversations.")
def harvest_command(cfg: SaescopeConfig) -> None:
    from saescope.harvest.run import harvest

    harvest(cfg)


@stage_command("train", ["train"], "Train a TopK SAE with AuxK on an activation dataset. Checkpoints every "
               "train.save_every steps and keeps the best N plus the final (registry.json says why); "
               "--resume continues exactly after a kill. Under torchrun each rank reads its own shards "
               "(train.loader_streams).",
               [click.Option(["--resume/--no-resume"], default=False,
                             help="Continue from the newest checkpoint in train.out.")])
def train_command(cfg: SaescopeConfig, resume: bool) -> None:
    from saescope.export.retained import export_retained
    from saescope.train.run import train

    # Every retained checkpoint is exported as a release in the configured formats as the run goes.
    train(cfg, resume=resume, after_save=lambda root: export_retained(root, cfg.train.export_formats))


@stage_command("eval", ["model", "data", "train", "eval"], "Evaluate SAEs (releases, checkpoints or training "
               "runs): intrinsic FVE, MSE and dead latents over held-out activation shards, and core-plus CE and "
               "KL scores with the SAE spliced into the model. Prints snapshot lines in the Qwen3-8B l36 release's "
               "format.",
               [click.Argument(["sae"], nargs=-1, required=True, type=click.Path(exists=True))])
def eval_command(cfg: SaescopeConfig, sae: tuple[str, ...]) -> None:
    from saescope.eval.run import evaluate

    evaluate(cfg, [Path(p) for p in sae])


@stage_command("index", ["model", "train", "index"], "Build the reverse feature index of an SAE (release, checkpoint "
               "or training run) over an activation dataset: per-feature firing metrics and the top examples per "
               "feature in context. Resumes when run again after a kill; under torchrun the ranks split the shards "
               "and rank 0 merges their parts.", [sae_argument()])
def index_command(cfg: SaescopeConfig, sae: str) -> None:
    from saescope.index import build_index

    build_index(cfg, Path(sae))


@stage_command("steer", ["model", "steer"], "Continue one chat prompt with the SAE's model, without and with a "
               "feature steered at the SAE's hookpoint, and print both continuations. --strength is in units of the "
               "feature's max activation when --steer.index is given, else absolute.", [
                   sae_argument(),
                   click.Option(["--feature", "-f"], type=int, required=True, multiple=True,
                                help="Feature id to steer (repeat to steer several at once)."),
                   click.Option(["--strength", "-s"], type=float, required=True, multiple=True,
                                help="Value added (add) or clamped to (clamp): one for all features, or one each."),
                   click.Option(["--prompt", "-p"], required=True, help="User message to continue (chat-templated)."),
                   click.Option(["--mode"], type=click.Choice(["add", "clamp", "ablate"]), default="add",
                                show_default=True, help="add: h += strength * d_f; clamp: the SAE reads the feature "
                                "as strength; ablate: clamp to 0."),
               ])
def steer_command(cfg: SaescopeConfig, sae: str, feature: tuple[int, ...], strength: tuple[float, ...], prompt: str,
                  mode: str) -> None:
    from saescope.steer.run import steer_once

    result = steer_once(cfg, Path(sae), feature, strength, prompt, mode)
    steered = ", ".join(f"{f} {mode} {s:g}" for f, s in zip(feature, strength * len(feature), strict=False))
    click.echo(f"clean:   {result.clean_text!r}")
    click.echo(f"steered: {result.steered_text!r}  (feature {steered})")


@stage_command("steer-eval", ["model", "data", "steer"], "Measure how reliably features steer: over the data "
               "section's first user turns and steer.strengths, generate clean and steered continuations, read "
               "both back with the clean model and the SAE (fire rate, mean activation, CE), and write "
               "steering_reliability.parquet, "
               "steering_prompts.parquet, report.md and summary.json (last) into steer.out.", [sae_argument()])
def steer_eval_command(cfg: SaescopeConfig, sae: str) -> None:
    from saescope.steer.run import steer_eval

    summary = steer_eval(cfg, Path(sae))
    click.echo(f"{cfg.steer.out}: {summary['rows']} feature x strength rows over {summary['prompts']} prompts "
               f"in {summary['seconds']:.1f} s")


@main.command("index-merge")
@click.argument("parts", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Folder of the merged index.")
def index_merge_command(parts: tuple[str, ...], out: str) -> None:
    """Merge reverse indexes built over disjoint shards (same SAE, dataset and settings) into one."""
    from saescope.index import merge_indexes
    from saescope.index.files import read_summary
    from saescope.index.run import summary_line

    folder = merge_indexes([Path(p) for p in parts], Path(out))
    click.echo(f"{folder}: {summary_line(read_summary(folder))} (merged from {len(parts)} parts)")


@stage_command("plan", ["model", "data", "harvest", "train", "eval", "index"], "Print, per stage (harvest, train, "
               "eval, index), the bytes written and read, FLOPs, peak host and GPU memory, expected time and what "
               "bounds it, from the config and the model's config alone (local files only: nothing is downloaded). "
               "The dataset's size comes from train.activations' manifest when it exists, else from --records and "
               "--conversations. Assumptions: saescope/plan/hardware.py.", [
                   click.Option(["--gpus"], type=click.IntRange(min=1), default=1, show_default=True,
                                help="GPUs the torchrun stages (harvest, train, index) run on."),
                   click.Option(["--gpu"], type=click.Choice(["h100", "a100", "h200"]), default="h100",
                                show_default=True, help="GPU kind (SXM: H100 80GB, A100 80GB, H200 141GB)."),
                   click.Option(["--records"], type=click.IntRange(min=1),
                                help="Activation records of the dataset (overrides the manifest's)."),
                   click.Option(["--conversations"], type=click.IntRange(min=1),
                                help="Conversations of the dataset (overrides the manifest's)."),
                   click.Option(["--dead-fraction"], type=click.FloatRange(0, 1), default=0.56, show_default=True,
                                help="Fraction of dead latents AuxK runs over during training (the l36 release's)."),
                   click.Option(["--disk-read-gbs"], type=click.FloatRange(min=0, min_open=True),
                                help="Disk read bandwidth per node, GB/s (default 5)."),
                   click.Option(["--disk-write-gbs"], type=click.FloatRange(min=0, min_open=True),
                                help="Disk write bandwidth per node, GB/s (default 2.5)."),
                   click.Option(["--json", "as_json"], is_flag=True, help="Print the same numbers as JSON."),
               ])
def plan_command(cfg: SaescopeConfig, gpus: int, gpu: str, records: int | None, conversations: int | None,
                 dead_fraction: float, disk_read_gbs: float | None, disk_write_gbs: float | None,
                 as_json: bool) -> None:
    from saescope.plan import make_plan
    from saescope.plan.render import render_json, render_text

    plan = make_plan(cfg, gpus=gpus, gpu=gpu, records=records, conversations=conversations,
                     dead_fraction=dead_fraction, disk_read_gbs=disk_read_gbs, disk_write_gbs=disk_write_gbs)
    click.echo(render_json(plan) if as_json else render_text(plan), nl=False)


@main.command("export")
@click.argument("checkpoint", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(), help="New release folder.")
@click.option("--formats", default="safetensors,pt,onnx,raw", show_default=True,
              help="Comma-separated: safetensors, pt, onnx, raw, saelens, sparsify.")
@click.option("--eval-results", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Eval JSON files whose snapshot lines go into the model card (repeatable).")
@click.option("--index-summary", type=click.Path(exists=True, dir_okay=False),
              help="A reverse index's summary.json, copied with its files under reverse-index/.")
@click.option("--repo-id", help="Hub repository named in the model card.")
@click.option("--select", type=click.Choice(["final", "best"]), default="final", show_default=True,
              help="Which checkpoint, when CHECKPOINT is a training run folder.")
def export_command(checkpoint: str, out: str, formats: str, eval_results: tuple[str, ...],
                   index_summary: str | None, repo_id: str | None, select: str) -> None:
    """Export a training checkpoint (or a run's final/best one) as a release in the Qwen3-8B l36 release's layout."""
    from saescope.export import export_release
    from saescope.release.select import select_checkpoint

    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    source = select_checkpoint(Path(checkpoint), select)
    release = export_release(source, Path(out), chosen, [Path(p) for p in eval_results],
                             Path(index_summary) if index_summary else None, repo_id)
    click.echo(f"{release}: release of {source} written ({', '.join(chosen)})")


@main.command("verify")
@click.argument("release", type=click.Path(exists=True, file_okay=False))
@click.option("--n-inputs", default=64, show_default=True, help="Random inputs every format is run on.")
@click.option("--atol", default=1e-4, show_default=True, help="Tolerance, in units of each dimension's std.")
def verify_command(release: str, n_inputs: int, atol: float) -> None:
    """Check a release: sha256 against its manifest, shapes, and that every format computes the same function."""
    from saescope.export import verify_release

    click.echo(str(verify_release(Path(release), n_inputs=n_inputs, atol=atol)))


@main.command("publish")
@click.argument("release", type=click.Path(exists=True, file_okay=False))
@click.option("--repo-id", required=True, help="Hub model repository, e.g. user/qwen3-8b-sae-l36-topk64.")
@click.option("--revision", help="Branch to upload to.")
@click.option("--private/--public", default=False, help="Visibility of a new repository.")
@click.option("--dry-run", is_flag=True, help="List what would be uploaded; upload nothing.")
def publish_command(release: str, repo_id: str, revision: str | None, private: bool, dry_run: bool) -> None:
    """Upload a verified release to the hub (HF_TOKEN); refuses anything that is not part of the release."""
    from saescope.export.publish import publish_release

    files = publish_release(Path(release), repo_id, dry_run=dry_run, revision=revision, private=private)
    verb = "would upload" if dry_run else "uploaded"
    click.echo(f"{verb} {len(files)} files to {repo_id}:")
    for name in files:
        click.echo(f"  {name}")


@main.command("inspect")
@click.argument("dataset", type=click.Path(exists=True, file_okay=False))
@click.option("--verify/--no-verify", default=False, help="Check every shard's sha256 against the manifest.")
def inspect_command(dataset: str, verify: bool) -> None:
    """Summarise an activation dataset (counts, hookpoints, shards); optionally verify checksums."""
    from saescope.harvest.dataset import ActivationDataset

    ds = ActivationDataset.open(dataset, verify=verify)
    m = ds.manifest
    click.echo(f"{dataset}: {m['model']['name']} ({m['model']['architecture']}), d_model {ds.d_model}")
    click.echo(f"  hookpoints: {', '.join(f'{h} ({lab})' for h, lab in zip(ds.hookpoints, ds.labels, strict=True))}")
    counts = m["counts"]
    click.echo(f"  {counts['conversations']} conversations, {counts['records']} records, {ds.num_shards} shards, "
               f"{counts['truncated_conversations']} truncated; skipped: {counts['skipped'] or 'none'}")
    if verify:
        click.echo("  sha256: all shards match the manifest")


main.add_command(features_group)  # saescope features show|top|search|explain-prompt
main.add_command(serve_command)
import saescope.cli_explain  # noqa: E402, F401  registers `saescope explain` (it builds on stage_command above)


def run() -> None:
    """Entry point with clean errors: any `SaescopeError` (bad input or settings) prints one line naming the file,
    key or value, and exits non-zero; a traceback means a bug."""
    from saescope.errors import SaescopeError

    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except SaescopeError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
