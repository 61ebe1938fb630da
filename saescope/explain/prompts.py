"""The prompts: Jinja2 templates in files users can edit (the shipped ones in templates/, or a folder of
replacements), rendered into one-message chats, and the hash that each result records."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from saescope.explain.errors import ExplainError
from saescope.explain.evidence import FeatureEvidence, Window

SHIPPED = Path(__file__).parent / "templates"
NAMES = ("explainer", "detection", "fuzzing")
MARKS = ("<<", ">>")
Chat = list[dict[str, str]]
_SPECIAL = re.compile(r"<\|([^|<>\s]{1,40})\|>")  # <|im_start|> and the like: shown as ⟨im_start⟩ to the model
_LEAD = re.compile(r"^([*_\s]*(label|answer|feature)\s*[*_]*\s*:\s*|\d+[.)]\s+)", re.IGNORECASE)


def text_of(w: Window, marked: bool = True) -> str:
    """The window as one line (line breaks as \\n), the highlighted token between MARKS when `marked`; special
    tokens' text made inert, so that a chat template does not read them as its own."""
    before, token, after = (_SPECIAL.sub("⟨\\1⟩", part) for part in (w.before, w.token, w.after))
    text = before + (f"{MARKS[0]}{token}{MARKS[1]}" if marked else token) + after
    return text.replace("\r\n", "\n").replace("\n", "\\n").strip()


@lru_cache(maxsize=16)
def _compile(source: str) -> jinja2.Template:
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(source)  # plain text: no autoescape


@dataclass
class Templates:
    sources: dict[str, str]  # name -> template text

    @classmethod
    def load(cls, folder: str | None) -> Templates:
        """The shipped templates, each replaced by `folder`'s file of the same name where it has one."""
        if folder is not None and not Path(folder).is_dir():
            raise ExplainError(f"{folder}: no such templates folder (explain.templates)")
        sources = {}
        for name in NAMES:
            custom = Path(folder) / f"{name}.txt" if folder else None
            sources[name] = (custom if custom and custom.is_file() else SHIPPED / f"{name}.txt").read_text()
        return cls(sources)

    @property
    def hash(self) -> str:
        """sha256 (first 16 hex digits) over the three templates' names and texts."""
        digest = hashlib.sha256()
        for name in NAMES:
            digest.update(f"{name}\0{self.sources[name]}\0".encode())
        return digest.hexdigest()[:16]

    def _render(self, name: str, **values: object) -> Chat:
        try:
            return [{"role": "user", "content": _compile(self.sources[name]).render(**values).strip()}]
        except jinja2.TemplateError as e:
            raise ExplainError(f"template {name}.txt: {e}") from e

    def explainer(self, evidence: FeatureEvidence) -> Chat:
        return self._render("explainer", examples=[text_of(w) for w in evidence.shown],
                            promoted=[repr(t) for t in evidence.promoted], suppressed=[repr(t) for t in
                                                                                         evidence.suppressed])

    def detection(self, label: str, w: Window) -> Chat:
        return self._render("detection", label=label, text=text_of(w, marked=False))

    def fuzzing(self, label: str, w: Window) -> Chat:
        return self._render("fuzzing", label=label, text=text_of(w))


def label_from(reply: str) -> str:
    """The label in an explainer's reply: its first non-empty line, without a 'Label:' lead, quotes, markdown
    emphasis, a list number or a closing full stop, at most 200 characters ("" when the reply is empty)."""
    line = next((s.strip() for s in reply.splitlines() if s.strip()), "")
    line = _LEAD.sub("", line).strip().rstrip(".").strip("*_`\"'“”<> ")
    return line[:200]
