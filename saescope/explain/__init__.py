"""LLM labels for an index's features, each scored by delphi's detection and fuzzing on held-out windows."""

from saescope.explain.errors import ExplainError
from saescope.explain.run import explain_index

__all__ = ["ExplainError", "explain_index"]
