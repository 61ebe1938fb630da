#!/usr/bin/env python
"""Build saescope's shipped sample of chat conversations, in the lmsys-chat-1m schema.

The text lives in scripts/sample_text/ (its README describes the files). Most of it was written by hand for
saescope: questions, answers, follow-ups, code, poems, stories and documents in several languages, and word
problems whose numbers are drawn per conversation. The rest, generated.json, holds answers that the embedded
SmolLM2-135M-Instruct wrote offline (scripts/generate_sample.py) to the spare phrasings of the hand-written
questions and to the new questions of prompts.json. No real dataset is copied.

So that the sample seldom repeats a sentence (tests/test_sample.py measures it with
saescope.data.distinct), every hand-written scenario, story world, document and reviewed function is used
once; each word problem is drawn plan["problem_draws"] times; the openers, acknowledgements, connectors and
thank-you pairs of the language kits are capped (KIT_CAP uses of any sentence over 30 characters, of any
thank-you pair).
The output is deterministic (fixed seed, gzip mtime 0), so two runs give identical bytes.

    .venv/bin/python scripts/build_sample.py [--out PATH]

Writes saescope/data/sample/lmsys_sample.jsonl.gz and prints a summary of what it wrote.
"""

import gzip
import hashlib
import io
import json
import math
import random
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

SEED = 1_000_003
OUT = Path(__file__).resolve().parents[1] / "saescope" / "data" / "sample" / "lmsys_sample.jsonl.gz"
TEXT = Path(__file__).resolve().parent / "sample_text"
KEYS = ("conversation_id", "model", "conversation", "turn", "language", "openai_moderation", "redacted")

# Text is hand-wrapped in the data files; T() reflows it into message text: prose lines of a paragraph are
# joined, list items / headings / table rows start new lines, ``` code blocks are kept as they are, and ~~~
# blocks (poems, addresses) are kept line by line with the ~~~ markers dropped.

_BLOCK = re.compile(r"^\s*([-*+] |\d+[.)] |#{1,6} |\||> )")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")  # no Hangul: Korean has spaces
_SLOT = re.compile(r"\{(NAME|NAME2)\}")
_NO_ACK = ("**", "#", "-", "|", "```", "«", "„", "\"", "*", "~", ">", "「", "【")  # answers that get no "Sure! "


def T(text: str) -> str:
    """Reflow a hand-wrapped block of message text (see the comment above)."""
    out: list[str] = []
    mode, joinable = "", False  # mode: "code" inside ```, "verbatim" inside ~~~
    for line in (raw.rstrip() for raw in textwrap.dedent(text).strip("\n").split("\n")):
        s = line.strip()
        fence = ("code" if s.startswith("```") and mode != "verbatim" else
                 "verbatim" if s == "~~~" and mode != "code" else "")
        if fence:
            mode, joinable = "" if mode == fence else fence, False
            out += [line] if fence == "code" else []
        elif mode:
            out.append(line)
        elif not s:
            out += [""] if out and out[-1] else []
            joinable = False
        elif joinable and not _BLOCK.match(line):
            out[-1] += ("" if _CJK.match(out[-1][-1]) and _CJK.match(s[0]) else " ") + s
        else:
            out.append(line)
            joinable = not s.startswith(("#", "|"))
    return "\n".join(out).strip("\n")


def txt(value: str | list[str]) -> str:
    """A stored text: a string, or the list of its lines."""
    return "\n".join(value) if isinstance(value, list) else value


def tt(value: str | list[str], slots: dict[str, str] | None = None) -> str:
    """A stored message text, reflowed, with its {KEY} slots filled."""
    text = T(txt(value))
    for key, filling in (slots or {}).items():
        text = text.replace("{" + key + "}", filling)
    return text


def load(name: str) -> Any:
    return json.loads((TEXT / f"{name}.json").read_text(encoding="utf-8"))


def scenario(spec: dict, render: Callable[[str], str] = str) -> dict:
    """A scenario's texts rendered and reflowed: {"q": [phrasings], "a": answer, "f": [(question, answer)]}."""

    def text(value: str | list[str]) -> str:
        return T(render(txt(value)))

    return {"q": [text(q) for q in spec["q"]], "a": text(spec["a"]), "f": [(text(q), text(a)) for q, a in spec["f"]]}


def lc_first(s: str) -> str:
    """Lower-case the first letter unless it starts a word like 'I', 'SQL' or 'Python'-style names."""
    if len(s) < 2 or not s[0].isupper() or s.startswith(("I ", "I'")) or not s[1].islower():
        return s
    return s if s.split(" ", 1)[0].strip(",.?!:") in PROPER else s[0].lower() + s[1:]


# Word problems: the numbers are drawn by the seeded generator and the worked answers computed, so every
# conversation gets its own correct arithmetic. Their expressions may use these helpers and BUILTINS only.


def num(x: float, places: int = 2) -> str:
    """A number as a person would write it: no trailing zeros, thousands separators."""
    if abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    return f"{x:,.{places}f}".rstrip("0").rstrip(".")


def hours_minutes(h: float) -> str:
    whole = int(h)
    minutes = round((h - whole) * 60)
    if minutes == 60:
        whole, minutes = whole + 1, 0
    parts = [f"{whole} hour{'s' if whole != 1 else ''}"] if whole else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " and ".join(parts) or "0 minutes"


BUILTINS = {f.__name__: f for f in (abs, float, int, len, map, max, min, range, round, str, sum)}
HELPERS = {"math": math, "Fraction": Fraction, "num": num, "hours_minutes": hours_minutes,
           "de": lambda x: f"{x:,.2f}".translate(str.maketrans(",.", ".,"))}  # euros the German way: 12.345,67


def draw(spec: dict, rng: random.Random) -> dict:
    """Evaluate a spec's "let" bindings in order (again, until its "until" holds); returns the namespace."""
    while True:
        ns = {"__builtins__": BUILTINS, **HELPERS, **spec.get("tables", {}), "rng": rng}
        for target, expr in spec["let"]:
            value = eval(expr, ns)
            ns.update(zip(target.split(", "), value, strict=True) if ", " in target else {target: value})
        if eval(spec.get("until", "True"), ns):
            return ns


def problem(spec: dict, rng: random.Random) -> dict:
    """A word problem's scenario: each template is the body of a triple-quoted f-string, evaluated in the draw."""
    ns = draw(spec, rng)
    return scenario(spec, lambda template: eval(f'f"""{template}"""', ns))  # see sample_text/README.md


# Long conversations (3,000+ words): code reviews, stories written in parts, long documents to summarise.


def build_code_review(rng: random.Random, variant: int) -> list[tuple[str, str]]:
    """One long code review conversation: the review of its share of the catalogue, up to three rewrites, tests."""
    intro, filename = REVIEW["intros"][variant % len(REVIEW["intros"])]
    catalogue = [e for e in REVIEW["catalogue"] if e[0] not in REVIEW["tests"]]
    random.Random(SEED).shuffle(catalogue)  # the same partition whatever the rng has drawn before
    catalogue = [e for e in REVIEW["catalogue"] if e[0] in REVIEW["tests"]] + catalogue  # one tested each
    entries = catalogue[variant::PLAN["reviews"]]  # each function under review in one conversation only
    rng.shuffle(entries)
    first = next((i for i, e in enumerate(entries) if e[0] == "load_orders"), None)
    if first is not None:
        entries.insert(0, entries.pop(first))
    code = RT["header"] + "\n\n" + "\n\n".join(e[1] for e in entries)
    notes = "\n\n".join(f"### `{name}`\n\n{T(note)}" for name, _, note, _ in entries)
    critical = [name for name in REVIEW["urgency"] if name in {e[0] for e in entries}]
    priorities = "\n".join(f"{i}. `{name}`" + REVIEW["urgency"][name] for i, name in enumerate(critical, 1))
    answer = "\n\n".join([tt(RT["answer_intro"]), notes, tt(RT["answer_general"]),
                          priorities or REVIEW["no_urgency"], tt(RT["answer_after"])])
    turns = [(f"{intro}\n\n`{filename}`:\n\n```python\n{code}\n```", answer)]
    fixable = [e for e in entries if e[3]]
    rng.shuffle(fixable)
    picks = fixable[:3]
    ask = rng.choice(REVIEW["rewrite_asks"])
    names = ", ".join(f"`{e[0]}`" for e in picks[:-1]) + f" and `{picks[-1][0]}`"
    parts = [tt(RT["rewrite_intro"])]
    for name, _, note, fixed in picks:
        why = T(RT["rewrite_why"].replace("{why}", T(note).split(". ")[0].rstrip(".")))
        parts.append(f"### `{name}`\n\n```python\n{fixed.strip()}\n```\n\n" + why)
    turns.append((ask.replace("{names}", names), "\n\n".join([*parts, tt(RT["rewrite_imports"])])))

    tested = [name for name, *_ in entries if name in REVIEW["tests"]]
    if not tested:
        return turns
    target = rng.choice(tested)
    tests = f"```python\n{REVIEW['tests'][target]}\n```"
    turns.append((rng.choice(REVIEW["test_asks"]).replace("{target}", target),
                  f"{T(RT['tests_intro'].replace('{target}', target))}\n\n{tests}\n\n{tt(RT['tests_outro'])}"))
    return turns


def build_story(rng: random.Random, world_and_cast: list[int]) -> list[tuple[str, str]]:
    """A story in parts ({HERO}, {MENTOR}, {FRIEND} and {TOWN} come from the cast), as (user, assistant)."""
    world_index, cast_index = world_and_cast
    world, extra, cast = STORIES["worlds"][world_index], STORIES["extras"][world_index], STORIES["cast"][cast_index]
    turns, parts, sheet_after = [], world["parts"], rng.choice([2, 3])
    for n, (title, paragraphs) in enumerate(parts, start=1):
        body = "\n\n".join(tt(p, cast) for p in paragraphs)
        tail = (f"\n\n*(End of part {n}. Let me know when you'd like part {n + 1}.)*" if n < len(parts)
                else "\n\n*The end.*")
        if n == 1:
            first = STORIES["first"][cast_index % len(STORIES["first"])]
            user = first.replace("{premise}", world["premise"]) + "\n\n" + tt(extra["brief"])
        else:
            user = rng.choice(STORIES["next"]).replace("{n}", str(n))
        turns.append((user, f"**Part {n}: {title}**\n\n{body}{tail}"))
        if n == sheet_after:
            turns.append((txt(extra["sheet_q"]), tt(extra["sheet"], cast)))
    turns.append((rng.choice(STORIES["end"]), tt(extra["title"], cast)))
    return turns


def build_document(rng: random.Random, kind: str) -> list[tuple[str, str]]:
    """A long document to summarise (its figures drawn per conversation, so the summary agrees with it)."""
    spec = DOCUMENTS["kinds"][kind]
    ns = draw({"let": spec["fill"]}, rng)
    values = {key: ns[key] for key, _ in spec["fill"]}
    sections = spec["sections"]
    optional = [i for i, s in enumerate(sections) if not s[2]]
    drop = set(rng.sample(optional, k=rng.randint(0, 2)))
    kept = [s for i, s in enumerate(sections) if i not in drop]
    doc = "\n\n".join([tt(spec["title"], values)] + [f"## {h}\n\n{tt(body, values)}" for h, body, _ in kept])
    user = rng.choice(spec["ask"]) + "\n\n" + doc
    points = "\n".join(f"- {tt(point, values)}" for _, _, point in kept if point)
    answer = tt(spec["lead"], values) + "\n\n" + points + "\n\n" + rng.choice(DOCUMENTS["closing"])
    follow = rng.sample(spec["follow"], k=len(spec["follow"]))
    return [(user, answer)] + [(q, tt(a, values)) for q, a in follow]


# Assembly

PHRASING, PLAN, PROBLEMS = load("phrasing"), load("plan"), load("problems")
STORIES, DOCUMENTS, REVIEW = load("stories"), load("documents"), load("review")
REVIEW["catalogue"] = [[txt(part) for part in entry] for entry in REVIEW["catalogue"]]
REVIEW |= {key: {name: txt(text) for name, text in REVIEW[key].items()} for key in ("tests", "texts")}
RT, KITS, PROPER = REVIEW["texts"], PHRASING["kits"], set(PHRASING["proper"])


def pick(rng: random.Random, weighted: list[list]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


KIT_CAP = 2  # a kit phrase with a sentence over 30 characters is used at most this many times in the sample
_kit_uses: Counter[str] = Counter()


def _long_sentences(value: str | tuple | list) -> list[str]:
    texts = [value] if isinstance(value, str) else list(value)
    return [s.strip() for t in texts for s in re.split(r"(?<=[.!?。！？])\s*|\n", t) if len(s.strip()) > 30]


def kit_choice(rng: random.Random, options: list, whole: bool = False) -> Any:
    """A seeded choice among kit phrases, leaving out those whose long sentences are used up (KIT_CAP); with
    `whole`, any phrase is used at most KIT_CAP times, and None is returned when all are used up."""
    def keys(option: str | list) -> list[str]:
        return ([option] if isinstance(option, str) else list(option)) if whole else _long_sentences(option)

    allowed = [o for o in options if all(_kit_uses[k] < KIT_CAP for k in keys(o))]
    if whole and not allowed:
        return None
    choice = rng.choice(allowed or [o for o in options if not keys(o)] or [""])
    _kit_uses.update(keys(choice))
    return choice


def first_question(rng: random.Random, text: str, kit: dict, plain: bool, language: str) -> str:
    if not plain and len(text) > 15:  # greetings and one-word messages stay as they are
        opener = kit_choice(rng, kit["open"])
        if opener and language not in ("Chinese", "Japanese", "Korean") and opener.endswith(", "):
            text = lc_first(text)
        text = opener + text
    if language == "English" and "\n" not in text and rng.random() < 0.2:
        text = lc_first(text)
        if text.endswith("?") and rng.random() < 0.5:
            text = text[:-1]
    return text


def answer_text(rng: random.Random, text: str, kit: dict, plain: bool) -> str:
    first_line = text.split("\n", 1)[0]
    if plain or first_line.startswith(_NO_ACK) or len(first_line) < 40 or first_line[0].isdigit():
        return text
    return kit_choice(rng, kit["ack"]) + text


def words(scen: dict) -> int:
    return sum(len(t.split()) for t in [scen["q"][0], scen["a"], *(x for pair in scen["f"] for x in pair)])


def family_conversations(rng: random.Random, entry: dict, scenarios: list[dict]) -> list[list[dict]]:
    """Every scenario of a family once, in a seeded order: its first phrasing (the others are spare, for
    scripts/generate_sample.py), its answer and all its follow-ups. A scenario without follow-ups is sometimes
    followed, in the same conversation, by the next one (a later question after a connector), while the two
    stay short; some multi-turn conversations end with a thank-you pair."""
    language, plain = entry["language"], entry.get("plain", False)
    kit = KITS[language]
    order = list(scenarios)
    rng.shuffle(order)
    out: list[list[dict]] = []
    while order:
        scen = order.pop()
        turns = [(first_question(rng, scen["q"][0], kit, plain, language), answer_text(rng, scen["a"], kit, plain))]
        turns += scen["f"]
        size = words(scen)
        while order and not order[-1]["f"] and size + words(order[-1]) < PLAN["chain_words"] \
                and rng.random() < PLAN["chain_probability"][language == "English"]:
            nxt = order.pop()
            connector = kit_choice(rng, kit["next"])
            q = nxt["q"][0]
            q = connector + (lc_first(q) if connector.endswith(", ") and language == "English" else q)
            turns.append((q, answer_text(rng, nxt["a"], kit, plain)))
            size += words(nxt)
        thanks = kit_choice(rng, kit["thanks"], whole=True) if len(turns) >= 2 and rng.random() < 0.3 else None
        if thanks:
            turns.append(tuple(thanks))
        out.append(messages(turns))
    return out


def close_fence(text: str) -> str:
    """A generated answer cut at its token limit inside a ``` code block gets the block closed."""
    return text + "\n```" if text.count("```") % 2 else text


def generated_conversations(rng: random.Random, first_questions: set[str]) -> list[dict]:
    """The embedded model's answers to the spare phrasings and new questions (scripts/generate_sample.py), as
    conversations: in their stored order, a family's next answer sometimes follows in the same conversation
    (after an English connector), as the hand-written scenarios do. A question already asked first elsewhere
    is left out."""
    path = TEXT / "generated.json"
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"] if path.exists() else []
    answers = [{**a, "a": close_fence(a["a"])} for a in answers if a["a"].strip() and a["q"] not in first_questions]
    kit, out, i = KITS["English"], [], 0
    while i < len(answers):
        turns = [(answers[i]["q"], answers[i]["a"])]
        if i + 1 < len(answers) and answers[i + 1]["family"] == answers[i]["family"] \
                and rng.random() < PLAN["generated_chain_probability"]:  # two answers: still ~512 tokens
            i += 1
            connector = kit_choice(rng, kit["next"])
            q = answers[i]["q"]
            turns.append((connector + (lc_first(q) if connector.endswith(", ") else q), answers[i]["a"]))
        out.append({"family": f"generated-{answers[i]['family']}", "language": "English",
                    "messages": messages(turns), "model": PLAN["generated_model"]})
        i += 1
    return out


def messages(turns: list[tuple[str, str]]) -> list[dict]:
    return [{"role": role, "content": text} for q, a in turns for role, text in (("user", q), ("assistant", a))]


def moderation(rng: random.Random) -> dict:
    categories = PLAN["moderation_categories"]
    scores = {c: float(f"{10 ** rng.uniform(-7.5, -3.3):.6g}") for c in categories}
    return {"categories": dict.fromkeys(categories, False), "category_scores": scores, "flagged": False}


def resolve_names(rng: random.Random, convs: list[dict]) -> None:
    """Fill {NAME}/{NAME2}: about 5% of conversations get lmsys-style NAME_1 redactions, the rest names."""
    candidates = [c for c in convs if any(_SLOT.search(m["content"]) for m in c["messages"])]
    n_redact = min(len(candidates), round(0.05 * len(convs)))
    redact = {id(c) for c in rng.sample(candidates, n_redact)}
    for c in candidates:
        if id(c) in redact:
            names = {"NAME": "NAME_1", "NAME2": "NAME_2"}
        else:
            pool = PHRASING["names"][c["language"]]
            first = rng.choice(PHRASING["female_en"] if c["language"] == "English" else pool)
            names = {"NAME": first, "NAME2": rng.choice([n for n in pool if n != first])}
        for m in c["messages"]:
            m["content"] = _SLOT.sub(lambda mt, names=names: names[mt.group(1)], m["content"])
        c["redacted"] = id(c) in redact


def conversations(rng: random.Random) -> list[dict]:
    """Each family's planned number of distinct conversations, then the long ones."""
    convs: dict[str, dict] = {}  # by a hash of the messages: no conversation twice

    def add(family: str, language: str, messages: list[dict], model: str) -> bool:
        key = hashlib.md5(json.dumps(messages, ensure_ascii=False).encode()).hexdigest()
        new = key not in convs
        convs.setdefault(key, {"family": family, "language": language, "messages": messages, "model": model})
        return new

    for family, entry in PLAN["families"].items():
        language = entry["language"]
        pool = load(f"scenarios/{family}") if (TEXT / "scenarios" / f"{family}.json").exists() else []
        scenarios = [scenario(s) for s in pool] + [problem(PROBLEMS[name], rng) for name in entry.get("problems", [])
                                                      for _ in range(PLAN["problem_draws"])]
        for conversation in family_conversations(rng, entry, scenarios):
            if not add(family, language, conversation, pick(rng, PLAN["zh_models" if language == "Chinese"
                                                                     else "models"])):
                print(f"warning: {family}: a conversation twice", file=sys.stderr)
    firsts = {c["messages"][0]["content"] for c in convs.values()}
    for c in generated_conversations(rng, firsts):
        add(c["family"], c["language"], c["messages"], c["model"])
    for kind, arg in PLAN["long"]:
        turns = {"review": build_code_review, "story": build_story, "doc": build_document}[kind](rng, arg)
        add(f"long-{kind}", "English", messages(turns), pick(rng, PLAN["long_models"]))
    return list(convs.values())


def build_all(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    _kit_uses.clear()
    convs = conversations(rng)
    resolve_names(rng, convs)
    regular = [c for c in convs if not c["family"].startswith("long-") and c["family"] != "short"]
    for c in rng.sample(regular, round(0.03 * len(convs))):
        c["messages"].insert(0, {"role": "system", "content": rng.choice(PHRASING["system_prompts"])})
    rng.shuffle(convs)
    return [{
        "conversation_id": hashlib.md5(f"saescope-sample/{seed}/{index}/{c['family']}".encode()).hexdigest(),
        "model": c["model"],
        "conversation": c["messages"],
        "turn": sum(m["role"] == "user" for m in c["messages"]),
        "language": c["language"],
        "openai_moderation": [moderation(rng) for _ in c["messages"]],
        "redacted": c.get("redacted", False),
        "_family": c["family"],  # for the summary only; not written
    } for index, c in enumerate(convs)]


def encode(records: list[dict]) -> bytes:
    raw = "".join(json.dumps({k: r[k] for k in KEYS}, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return buf.getvalue()


def summary(records: list[dict], data: bytes, out: Path) -> None:
    n, words = len(records), sorted(sum(len(m["content"].split()) for m in r["conversation"]) for r in records)
    print(f"wrote {out} ({len(data):,} bytes gzipped, sha256 {hashlib.sha256(data).hexdigest()[:16]}): {n} "
          f"conversations, {len({r['_family'] for r in records})} topic families, words median {words[n // 2]}")
    for key in ("language", "turn", "model"):
        print(f"{key}s: " + ", ".join(f"{k} {v}" for k, v in Counter(r[key] for r in records).most_common(10)))


def main(argv: list[str]) -> None:
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else OUT
    records = build_all()  # tests/test_conversations.py checks the shipped sample's records
    data = encode(records)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    summary(records, data, out)


if __name__ == "__main__":
    main(sys.argv[1:])
