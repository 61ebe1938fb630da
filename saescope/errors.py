"""The one base of every error a user can cause (a bad file, key, value or setting).

Each stage raises its own subclass, with a message that names the file, row, key, shard or value; the CLI prints
any `SaescopeError` as one line and exits non-zero, never as a traceback.
"""

from __future__ import annotations


class SaescopeError(Exception):
    """Input or settings saescope cannot use; the message says which and why."""
