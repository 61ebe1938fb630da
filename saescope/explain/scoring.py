"""delphi's two scores of a label, from a scorer's Yes/No replies: detection (does the label tell held-out firing
windows from non-firing ones?) and fuzzing (does it tell the real firing token from another token of the same
window?). Each is the balanced accuracy: the mean, over the classes present, of the share answered right. A reply
without a Yes or No (or a "does not": small models answer "The feature does not ...") is unparsed, counted, and
wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from saescope.explain.evidence import FeatureEvidence, Window, decoy
from saescope.explain.prompts import Chat, Templates

_ANSWER = re.compile(r"\b(yes|no|true|false|does not|doesn't|do not|don't)\b", re.IGNORECASE)


def parse_answer(reply: str | None) -> bool | None:
    """The first Yes/No (or True/False, or a "does not") of the reply; None when it has none."""
    found = _ANSWER.search((reply or "").replace("’", "'"))
    return None if found is None else found[1].lower() in ("yes", "true")


def balanced_accuracy(truths: list[bool], answers: list[bool | None]) -> float | None:
    """Mean over the classes present of the share of their items answered right (None, unparsed, is wrong);
    None without items."""
    if not truths:
        return None
    truth = np.asarray(truths, dtype=bool)
    right = np.asarray([a is not None and a == t for a, t in zip(answers, truths, strict=True)], dtype=bool)
    return float(np.mean([right[truth == c].mean() for c in (True, False) if (truth == c).any()]))


@dataclass
class Task:
    """One scorer question: its chat and the right answer."""

    kind: str  # "detection" or "fuzzing"
    chat: Chat
    truth: bool


def scoring_tasks(evidence: FeatureEvidence, label: str, templates: Templates, detection: int, fuzzing: int,
                  rng: np.random.Generator) -> list[Task]:
    """detection: the first `detection` held-out firing windows and as many non-firing ones, shuffled; fuzzing: the
    first `fuzzing` held-out firing windows, half (chosen at random) with the highlight moved to a decoy token."""
    items = [(w, True) for w in evidence.firing[:detection]] + [(w, False) for w in evidence.quiet[:detection]]
    tasks = [Task("detection", templates.detection(label, items[i][0]), items[i][1])
             for i in rng.permutation(len(items))]
    chosen = evidence.firing[:fuzzing]
    moved = set(rng.permutation(len(chosen))[: len(chosen) // 2].tolist())
    for i, w in enumerate(chosen):
        shown: Window | None = decoy(w, rng) if i in moved else w
        if shown is None:  # no other token in the window to move the highlight to
            shown = w
        tasks.append(Task("fuzzing", templates.fuzzing(label, shown), shown is w))
    return tasks


@dataclass
class Scores:
    detection: float | None
    fuzzing: float | None
    detection_examples: int
    fuzzing_examples: int
    detection_unparsed: int
    fuzzing_unparsed: int


def score(tasks: list[Task], replies: list[str]) -> Scores:
    answers = [parse_answer(r) for r in replies]
    figures: dict[str, tuple[float | None, int, int]] = {}
    for kind in ("detection", "fuzzing"):
        mine = [(t.truth, a) for t, a in zip(tasks, answers, strict=True) if t.kind == kind]
        truths, got = [m[0] for m in mine], [m[1] for m in mine]
        figures[kind] = (balanced_accuracy(truths, got), len(mine), sum(a is None for a in got))
    (d, dn, du), (f, fn, fu) = figures["detection"], figures["fuzzing"]
    return Scores(d, f, dn, fn, du, fu)
