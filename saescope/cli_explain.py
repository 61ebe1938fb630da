"""`saescope explain INDEX`: LLM labels with detection and fuzzing scores for a selection of an index's features.
Registered by saescope.cli (imported at its end: it builds on cli's stage_command)."""

from __future__ import annotations

import click

from saescope.cli import stage_command
from saescope.config.schema import SaescopeConfig

OWN = [
    click.Argument(["index"], type=click.Path(exists=True, file_okay=False)),
    click.Option(["--features", "-f"], help="Features to explain (explain.features): ids and ranges "
                 "('3,7,10-20'), 'top:N', 'top:N:METRIC' or 'all'."),
    click.Option(["--explainer", "-e"], type=click.Choice(["local", "openai"]),
                 help="Backend (explain.explainer): local (a transformers chat model, the embedded SmolLM2 by "
                 "default) or openai (an OpenAI-compatible endpoint)."),
]


@stage_command("explain", ["explain"], "Label a selection of INDEX's features with an LLM and score each label "
               "(detection and fuzzing: balanced accuracy of a scorer's answers on held-out windows); writes "
               "explanations.parquet and explanations.md into INDEX. Resumes a killed run with the same settings.",
               OWN)
def explain_command(cfg: SaescopeConfig, index: str, features: str | None, explainer: str | None) -> None:
    from saescope.cli_features import resolve_folder
    from saescope.explain import explain_index

    if features is not None:
        cfg.explain.features = features
    if explainer is not None:
        cfg.explain.explainer = explainer  # type: ignore[assignment]
    folder = resolve_folder(index, None)
    summary = explain_index(folder, cfg.explain)
    scores = " · ".join(f"mean {k} {summary[f'mean_{k}']:.3f}" for k in ("detection", "fuzzing")
                        if summary[f"mean_{k}"] is not None)
    click.echo(f"{folder}: {summary['features']} features explained ({summary['resumed']} resumed) in "
               f"{summary['seconds']:.1f} s{'; ' + scores if scores else ''}")
