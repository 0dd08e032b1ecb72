"""Exception types the CLI turns into one-line messages.

Every error a user can cause (bad file, bad config, bad model) is one of these, so the CLI can tell a user
mistake (print one line, exit non-zero) from a bug in our code (traceback, which ``--debug`` also shows).
"""

from __future__ import annotations


class ZhNewsError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class InputError(ZhNewsError):
    """An input file that cannot be read or parsed; names the file so a batch run can report it and go on."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ConfigError(ZhNewsError):
    """A config file or option that is missing, mistyped or names something that does not exist."""


class ModelError(ZhNewsError):
    """A model directory or file that is missing, not ours, or built for another version."""


class DataError(ZhNewsError):
    """A training or evaluation dataset that is missing or not in the expected format."""
