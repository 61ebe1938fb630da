"""`saescope serve`: the local web explorer over a reverse index (kept light: the web stack loads on run)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.argument("index_folder", type=click.Path(exists=True, file_okay=False))
@click.option("--steer", "steer_folder", type=click.Path(exists=True, file_okay=False),
              help="A steer-eval output folder whose steering_reliability.parquet is shown on feature pages.")
@click.option("--model", "model_name", help="Model for the model-backed pages (what fires here, text test, "
              "steering), loaded on first use; e.g. smollm2-135m-instruct.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="A saescope config: its model section is the explorer's model (--model overrides the name).")
@click.option("--device", default=None, help="Device of the model (default: the config's, else auto).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (default: local only).")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve_command(index_folder: str, steer_folder: str | None, model_name: str | None, config_path: str | None,
                  device: str | None, host: str, port: int) -> None:
    """Browse a complete reverse index (and steering results) in a local web explorer."""
    import uvicorn

    from saescope.config import load_config
    from saescope.index.files import read_summary
    from saescope.serve.app import create_app

    read_summary(Path(index_folder))  # a clear error naming summary.json before anything loads
    overrides = {k: v for k, v in {"model.name": model_name, "model.device": device}.items() if v is not None}
    cfg = load_config(config_path, overrides)
    given = model_name is not None or config_path is not None
    app = create_app(Path(index_folder), Path(steer_folder) if steer_folder else None, cfg.model, given)
    model = f"; model {cfg.model.name}, loaded on first use" if given else "; no model: model pages say so"
    click.echo(f"saescope explorer: http://{host}:{port}/  ({index_folder}{model}; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
