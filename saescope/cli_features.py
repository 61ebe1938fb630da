"""`saescope features`: query a reverse index from the terminal (show, rank, search features; explain a prompt's
tokens by the features they fire). Plain text, one line per example cut to the terminal's width, or JSON (--json).
Imports stay inside the commands (pyarrow, torch): `saescope --help` starts fast."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from saescope.cli_labels import explanations, label_hit_lines, label_hits, label_lines
from saescope.errors import SaescopeError

if TYPE_CHECKING:
    from saescope.index.reader import ReverseIndex

SPARK = "▁▂▃▄▅▆▇█"
MARK = ("⟦", "⟧")
INDEX_DIR = "reverse-index"  # a release's folder of indexes (saescope.release.layout.INDEX_DIR)
SUMMARY = "summary.json"


# --- text


def flat(text: str) -> str:
    """One line: line breaks as ↵, tabs as →, other control characters as �."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "↵").replace("\t", "→")
    return "".join("�" if unicodedata.category(c) == "Cc" else c for c in text)


def cells(c: str) -> int:
    """Terminal cells of one character: 2 for wide East Asian ones, 0 for combining marks."""
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def width_of(text: str) -> int:
    return sum(cells(c) for c in text)


def keep_start(text: str, room: int) -> str:
    """The longest start of `text` within `room` cells."""
    used = 0
    for i, c in enumerate(text):
        used += cells(c)
        if used > room:
            return text[:i]
    return text


def keep_end(text: str, room: int) -> str:
    return keep_start(text[::-1], room)[::-1]


def fit(line: str, width: int) -> str:
    """`line` cut to `width` cells, an ellipsis ending a cut one."""
    return line if width_of(line) <= width else keep_start(line, width - 1) + "…"


def example_parts(example: dict[str, Any]) -> tuple[str, str, str]:
    """(before, token, after) of an example: its text, or its token ids where the index was built without decoding."""
    if example.get("token") is None:
        before, after = (" ".join(map(str, example.get(k) or [])) for k in ("context_before_ids", "context_after_ids"))
        return before + " " if before else "", str(example.get("token_id")), " " + after if after else ""
    return flat(example.get("context_before") or ""), flat(example["token"]), flat(example.get("context_after") or "")


def snippet(example: dict[str, Any], room: int) -> str:
    """`…before ⟦token⟧ after…` in `room` cells, the firing token kept in view (cut contexts first)."""
    before, token, after = example_parts(example)
    core = f"{MARK[0]}{token}{MARK[1]}"
    budget = room - width_of(core) - 2
    if budget < 0:
        return fit("…" + core, room)
    after_room = max(budget - width_of(before), budget // 2)
    after = keep_start(after, after_room)
    before = keep_end(before, budget - width_of(after))
    return f"…{before}{core}{after}…"


def number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.3g}%"


def sparkline(bins: list[dict[str, Any]], room: int = 60) -> str:
    """The histogram's non-empty bins as a sparkline from its lowest to its highest bin (empty bins blank),
    adjacent bins merged to fit `room`, with the activation range and record count."""
    if not bins:
        return "(no firing records)"
    first, last = bins[0]["bin"], bins[-1]["bin"]
    counts = [0] * (last - first + 1)
    for b in bins:
        counts[b["bin"] - first] += b["count"]
    step = -(-len(counts) // room)
    merged = [sum(counts[i : i + step]) for i in range(0, len(counts), step)]
    top = max(merged)
    line = "".join(SPARK[(c * len(SPARK) - 1) // top] if c else " " for c in merged)  # the tallest bin full
    high = bins[-1]["high"]
    upper = number(high) if high != float("inf") else f">{number(bins[-1]['low'])}"
    return f"{line}  {number(bins[0]['low'])} … {upper}  ({sum(counts):,} records)"


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=1, default=str))  # default: any numpy scalar left


def table_lines(header: list[str], rows: list[list[str]], examples: list[dict[str, Any] | None], width: int
                ) -> list[str]:
    """Columns padded to their widest cell, then each row's example snippet in the room left."""
    sizes = [max(width_of(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def pad(cells_: list[str]) -> str:
        return "  ".join(c.rjust(s) for c, s in zip(cells_, sizes, strict=True))

    room = max(12, width - sum(sizes) - 2 * len(sizes))
    return [pad(header) + "  example", *(fit(f"{pad(r)}  {snippet(e, room) if e else '-'}", width)
                                         for r, e in zip(rows, examples, strict=True))]


# --- the index


def resolve_folder(folder: str | None, config: str | None) -> Path:
    """--index, else the config's index.out; a release (or its reverse-index/) holding one index is taken to mean
    that index."""
    if folder is None:
        from saescope.config.loading import load_config

        folder = load_config(config, {}).index.out
    path = Path(folder)
    if not path.is_dir():
        raise SaescopeError(f"{path}: no such index folder (pass --index FOLDER: a reverse index, or a release's "
                            f"{INDEX_DIR}/<name>/)")
    if not (path / SUMMARY).is_file():
        inner = path / INDEX_DIR if (path / INDEX_DIR).is_dir() else path
        found = sorted(p for p in inner.iterdir() if (p / SUMMARY).is_file())
        if len(found) == 1:
            return found[0]
        if found:
            raise SaescopeError(f"{path}: holds {len(found)} indexes ({', '.join(p.name for p in found)}); pass "
                                "--index with one of them")
    return path


def open_index(folder: str | None, config: str | None) -> ReverseIndex:
    path = resolve_folder(folder, config)
    from saescope.index.reader import ReverseIndex

    return ReverseIndex.open(path)


def index_options(fn: Any) -> Any:
    """--index, --config and --json, which every features command takes."""
    fn = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(fn)
    fn = click.option("--config", "-c", type=click.Path(dir_okay=False),
                      help="YAML config whose index.out is the default index.")(fn)
    return click.option("--index", "index_folder", type=click.Path(file_okay=False),
                        help="Reverse index folder, or a release's reverse-index/<name>/ (default: index.out).")(fn)


@click.group("features")
def features_group() -> None:
    """Query a reverse index: show a feature, rank features, search the examples, explain a prompt."""


# --- show


def example_lines(title: str, examples: list[dict[str, Any]] | None, width: int) -> list[str]:
    if examples is None:
        return [f"{title}: not in this index"]
    lines = [f"{title} ({len(examples)})" if examples else f"{title}: none"]
    for ex in examples:
        head = f"  {ex['rank']:>3} {ex['activation']:>9.4g}  {ex.get('role') or '':<9} "
        lines.append(head + snippet(ex, width - width_of(head)))
    return lines


def sample_lines(index: ReverseIndex, feature: int, per_interval: int, width: int) -> list[str]:
    samples, intervals = index.samples(feature), index.intervals(feature)
    if samples is None and intervals is None:
        return ["interval samples: not in this index"]
    by_interval = {r["interval"]: r for r in intervals or []}
    lines = ["interval samples (highest interval first)"]
    for j in sorted({*by_interval, *(s["interval"] for s in samples or [])}, reverse=True):
        row = by_interval.get(j)
        span = f"({row['low']:.4g}, {row['high']:.4g}]  {percent(row['share'])} of fires" if row else ""
        lines.append(f"  interval {j}  {span}")
        chosen = [s for s in samples or [] if s["interval"] == j][:per_interval]
        lines += example_lines("", chosen, width)[1:]
    return lines if len(lines) > 1 else ["interval samples: none"]


def decoder_lines(index: ReverseIndex, feature: int, width: int) -> list[str]:
    logits, neighbours = index.logits(feature), index.neighbours(feature)
    if logits is None:
        lines = ["logit lens: not in this index"]
    else:
        lines = ["logit lens"] + [fit(f"  {d:<11} " + "  ".join(f"{flat(r['token'] or str(r['token_id']))!r} "
                                                               f"{r['logit']:.3g}" for r in rows), width)
                                  for d, rows in logits.items()]
    if neighbours is None:
        return [*lines, "neighbours: not in this index"]
    near = "  ".join(f"{r['neighbour']} ({r['cosine']:.3f})" for r in neighbours) or "none"
    return [*lines, fit(f"neighbours  {near}", width)]


def metric_lines(index: ReverseIndex, feature: int) -> list[str]:
    m = index.feature(feature)
    fires = m["fire_count"]
    lines = [f"feature {feature} of {index.d_sae:,}: fires {fires:,} times ({percent(m['fire_rate'])} of records) "
             f"in {m['conversations']:,} conversations"]
    extra = [f"ordinary max {number(m['ordinary_max_activation'])}"] if "ordinary_max_activation" in m else []
    extra += [f"sink fires {m['sink_fires']:,}"] if "sink_fires" in m else []
    lines.append("  activation  " + " · ".join([f"mean {number(m['mean_activation'])} ± "
                                                 f"{number(m['std_activation'])}",
                                                 f"max {number(m['max_activation'])}", *extra]))
    from saescope.index.query import ROLES

    shares = [f"{r} {percent(m[f'fires_{r}'] / fires if fires else None)}" for r in ROLES if f"fires_{r}" in m]
    return [*lines, "  roles       " + " · ".join(shares)]


@features_group.command("show")
@click.argument("feature", type=int)
@index_options
@click.option("--samples", "per_interval", type=click.IntRange(min=0), default=2, show_default=True,
              help="Interval samples shown per activation interval.")
@click.option("--deep", is_flag=True, help="Show the deeper top list (feature_top) instead of the top examples.")
def show_command(feature: int, index_folder: str | None, config: str | None, per_interval: int, deep: bool,
                 as_json: bool) -> None:
    """A feature's metrics, activation histogram, top examples, interval samples, logit lens and neighbours."""
    index = open_index(index_folder, config)
    examples = index.deep_examples(feature) if deep else index.examples(feature)
    if as_json:
        tables = {name: getattr(index, name)(feature) for name in ("histogram", "intervals", "samples", "logits",
                                                                   "neighbours")}
        echo_json({"feature": feature, "metrics": index.feature(feature), "examples": examples, **tables,
                   "explanation": explanations(index).get(feature)})
        return
    width = terminal_width()
    hist = index.histogram(feature)
    lines = [*metric_lines(index, feature), *label_lines(index, feature),
             "  histogram   " + ("not in this index" if hist is None else sparkline(hist, max(10, width - 50))),
             *example_lines("deeper top examples" if deep else "top examples", examples, width),
             *sample_lines(index, feature, per_interval, width), *decoder_lines(index, feature, width)]
    click.echo("\n".join(lines))


# --- top and search


@features_group.command("top")
@index_options
@click.option("--by", default="fire_rate", show_default=True,
              help="Metrics column to rank by: fire_rate, fire_count, max_activation, conversations, "
                   "mean_activation, ... (any numeric column of feature_metrics).")
@click.option("--role", type=click.Choice(["template", "system", "user", "assistant"]),
              help="Rank by the fires in this role instead (fires_<role>).")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--ordinary/--all-records", default=True, show_default=True,
              help="fire_count, fire_rate and max_activation over ordinary records, attention sinks left out "
                   "(where the index counts them apart).")
def top_command(index_folder: str | None, config: str | None, by: str, role: str | None, limit: int,
                ordinary: bool, as_json: bool) -> None:
    """The features highest by a metric, one row each with its best example's token."""
    index = open_index(index_folder, config)
    rows = index.top(by, role, limit, ordinary)
    if as_json:
        echo_json(rows)
        return
    column = index.sort_column(by, role, ordinary)
    names = ["feature", column, *(k for k in ("fire_rate", "conversations", "max_activation") if k != column)]
    body = [[percent(r[k]) if k.endswith("rate") else number(r[k]) for k in names] for r in rows]
    click.echo("\n".join(table_lines(names, body, [r["best"] for r in rows], terminal_width())))


@features_group.command("search")
@click.argument("text")
@index_options
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True)
def search_command(text: str, index_folder: str | None, config: str | None, limit: int, as_json: bool) -> None:
    """Features whose examples' text contains TEXT (any case), by matching examples; in text, then those whose
    label (from `saescope explain`) contains it."""
    index = open_index(index_folder, config)
    rows, labelled = index.search(text, limit), label_hits(index, text, limit)
    if as_json:
        echo_json(rows)  # the example matches only, as without labels
        return
    if not rows:
        click.echo("\n".join([f"no example contains {text!r}", *(label_hit_lines(labelled) if labelled else [])]))
        return
    body = [[str(r["feature"]), str(r["hits"]), percent(r["fire_rate"]), number(r["max_activation"])] for r in rows]
    header = ["feature", "hits", "fire_rate", "max_activation"]
    lines = table_lines(header, body, [r["example"] for r in rows], terminal_width())
    click.echo("\n".join(lines + (label_hit_lines(labelled) if labelled else [])))


# --- explain-prompt


def model_options(fn: Any) -> Any:
    """--model.<field> for each field of the config's model section (as the stage commands have)."""
    from saescope.config.schema import ModelConfig

    for name, field in reversed(ModelConfig.model_fields.items()):
        fn = click.option(f"--model.{name.replace('_', '-')}", f"model__{name}", help=field.description)(fn)
    return fn


def explain(cfg: Any, sae_path: Path, index: ReverseIndex, text: str, top: int) -> dict[str, Any]:
    """The templated prompt's tokens, each with its `top` features at the SAE's hookpoint (activation
    descending, ties by feature id; zeros left out) and each feature's best example in the index."""
    import numpy as np
    import torch

    from saescope.data.templating import ROLE_NAMES, tokenize_conversation
    from saescope.lm.hookpoints import capture_residuals, check_hookpoints
    from saescope.lm.loading import load_model
    from saescope.release.select import load_sae_or_run, recorded_hookpoint

    source, sae, metadata = load_sae_or_run(sae_path)
    if sae.d_sae != index.d_sae:
        raise SaescopeError(f"SAE {source} has d_sae {sae.d_sae}, but {index.folder} indexes {index.d_sae} "
                            "features: the index of another SAE")
    if index.summary.get("sae_weights_sha256") not in (None, sae.weights_sha256()):
        click.echo(f"warning: {index.folder} was built with other weights than SAE {source}", err=True)
    hookpoint = recorded_hookpoint(source, metadata)
    lm = load_model(cfg.model)
    check_hookpoints(lm.model, [hookpoint])
    if sae.d_in != lm.d_model:
        raise SaescopeError(f"SAE {source} has d_in {sae.d_in}, but model {lm.name} has d_model {lm.d_model}")
    tokens = tokenize_conversation(lm.tokenizer, [{"role": "user", "content": text}],
                                   cfg.data.max_tokens_per_conversation)
    ids = torch.from_numpy(tokens.token_ids.astype(np.int64))
    x = capture_residuals(lm.model, ids[None].to(lm.device), None, [hookpoint])[hookpoint][0]
    sae = sae.to(lm.device)
    with torch.no_grad():
        code = sae.encode(x.to(sae.W_enc.dtype))
    by_id, perm = code.indices.sort(dim=-1)  # then stably by value: ties in feature order
    values, order = code.values.gather(-1, perm).sort(dim=-1, descending=True, stable=True)
    features = by_id.gather(-1, order)[:, :top].cpu().numpy()
    values = values[:, :top].float().cpu().numpy()
    best = dict(zip(np.unique(features).tolist(), index.best_examples(np.unique(features)), strict=True))
    texts = lm.tokenizer.batch_decode([[int(i)] for i in ids])
    rows = [{"position": p, "token_id": int(ids[p]), "token": texts[p], "role": ROLE_NAMES[int(tokens.roles[p])],
             "features": [{"feature": int(f), "activation": float(v), "example": best[int(f)]}
                          for f, v in zip(features[p], values[p], strict=True) if v > 0]} for p in range(len(ids))]
    return {"sae": str(source), "hookpoint": hookpoint, "index": str(index.folder), "truncated": tokens.truncated,
            "tokens": rows}


@features_group.command("explain-prompt")
@click.argument("text")
@click.option("--sae", "sae_path", required=True, type=click.Path(exists=True),
              help="The SAE: a release, checkpoint or training run.")
@index_options
@click.option("--top", "-n", type=click.IntRange(min=1), default=5, show_default=True,
              help="Features shown per token.")
@model_options
def explain_command(text: str, sae_path: str, index_folder: str | None, config: str | None, top: int,
                    as_json: bool, **model: str | None) -> None:
    """Run TEXT (one chat-templated user turn) through the model to the SAE's hookpoint and show each token's
    strongest features with the best example of each from the index."""
    from saescope.config.loading import load_config

    index = open_index(index_folder, config)
    overrides = {f"model.{k.removeprefix('model__')}": v for k, v in model.items() if v is not None}
    result = explain(load_config(config, overrides), Path(sae_path), index, text, top)
    if as_json:
        echo_json(result)
        return
    width = terminal_width()
    lines = [f"{len(result['tokens'])} tokens{' (truncated)' if result['truncated'] else ''} at "
             f"{result['hookpoint']} of {result['sae']}: top {top} features per token"]
    for t in result["tokens"]:
        lines.append(fit(f"{t['position']:>4} {t['role']:<9} {flat(t['token'])!r}", width))
        for f in t["features"]:
            head = f"       {f['feature']:>7} {f['activation']:>9.4g}  "
            lines.append(head + (snippet(f["example"], width - width_of(head)) if f["example"] else "-"))
    click.echo("\n".join(lines))
