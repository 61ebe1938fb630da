from pathlib import Path

import pytest
from click.testing import CliRunner

from saescope.cli import main
from saescope.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]


def test_shipped_configs_validate():
    for name in ("demo.yaml", "qwen3-8b-l36.yaml"):
        cfg = load_config(REPO / "configs" / name)
        assert cfg.harvest.hookpoints
    seed = load_config(REPO / "configs" / "qwen3-8b-l36.yaml")
    assert seed.model.name == "Qwen/Qwen3-8B" and seed.model.revision == "b968826"
    assert seed.model.attn_implementation == "sdpa"
    assert "layers.35" in seed.harvest.hookpoints and "layers.19" in seed.harvest.hookpoints
    assert seed.data.source == "lmsys/lmsys-chat-1m"


def test_unknown_key_is_named(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("harvest:\n  shard_recordz: 10\n")
    with pytest.raises(ConfigError, match=r"bad.yaml.*\n.*harvest\.shard_recordz: unknown key"):
        load_config(path)


def test_out_of_range_and_bad_hookpoint_are_named(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("harvest:\n  batch_tokens: 0\n  hookpoints: [block.3]\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "harvest.batch_tokens" in str(err.value)
    assert "harvest.hookpoints" in str(err.value) and "layers.N" in str(err.value)


def test_flags_override_the_file(tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_text("harvest:\n  batch_tokens: 100\n  out: a\n")
    cfg = load_config(path, {"harvest.batch_tokens": 200, "harvest.hookpoints": ["layers.2", "layers.3"]})
    assert cfg.harvest.batch_tokens == 200 and cfg.harvest.out == "a"
    assert cfg.harvest.hookpoints == ["layers.2", "layers.3"]


def test_cli_rejects_bad_config_before_starting(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("data:\n  max_conversations: -3\n")
    result = CliRunner().invoke(main, ["harvest", "--config", str(path), "--harvest.out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "data.max_conversations" in result.output
    assert not (tmp_path / "o").exists()


def test_every_train_field_is_one_flag_and_none_is_settable(tmp_path: Path):
    from saescope.cli import overrides_from, section_options
    from saescope.config.schema import Hyperparams, LoaderSettings, TrainConfig

    options = {o.name: o for o in section_options("train")}
    # The trainer's and the stream's settings are defined once and reach the CLI through the train section.
    for name in (*Hyperparams.model_fields, *LoaderSettings.model_fields, *TrainConfig.model_fields):
        assert f"train__{name}" in options, name
    path = tmp_path / "c.yaml"
    path.write_text("train:\n  normalizer_outlier_factor: 5.0\n  loader_streams: 2\n  epochs: 3\n")
    given = {"train__normalizer_outlier_factor": "none", "train__loader_streams": "4", "train__verify_shards": True}
    params = {dest: options[dest].type_cast_value(None, value) for dest, value in given.items()}
    cfg = load_config(path, overrides_from(params))
    assert cfg.train.normalizer_outlier_factor is None  # "none" overrides the file's 5.0
    assert cfg.train.loader_streams == 4 and cfg.train.epochs == 3 and cfg.train.verify_shards is True
