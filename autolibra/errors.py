"""One small error hierarchy. Messages name the bad value and, where possible, the fix.

The CLI turns any `LadderError` into a one-line message and exit code 2 (bad input) or 1 (failure).
"""

from __future__ import annotations


class LadderError(Exception):
    """Base class for errors the user can act on."""

    exit_code = 1


class InputError(LadderError):
    """Bad input: a broken config, a malformed file, an unknown id."""

    exit_code = 2


class ConfigError(InputError):
    pass


class DataError(InputError):
    """A malformed data file. Carries the file and line so the message can point at it."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class LMError(LadderError):
    """A model call failed after its retries."""


class UnparseableReply(LMError):
    """A model replied, but the reply could not be parsed into the expected structure."""

    def __init__(self, message: str, transcript: str = ""):
        super().__init__(message)
        self.transcript = transcript
