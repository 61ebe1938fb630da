"""The explorer's one error, kept import-free so the CLI can catch it without loading the web stack."""


from saescope.errors import SaescopeError


class ServeError(SaescopeError):
    """The explorer cannot load what it was pointed at."""
