"""Domain errors. The library raises these; only the CLI prints them and picks an exit code."""

from __future__ import annotations

from dataclasses import dataclass


class BriefingError(Exception):
    """Root of every error the library raises on purpose."""

    #: exit code the CLI uses for this kind of error
    exit_code = 1


class ConfigError(BriefingError):
    """The configuration (file or flags) is invalid. Carries every problem found, each with its dotted key."""

    exit_code = 2

    def __init__(self, problems: list[str] | str, path: str | None = None, warnings: list[str] = ()):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.path = path
        self.warnings = list(warnings)
        """Unknown keys found on the way: shown with the problems, so that one round fixes everything."""
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(self.problems))


class UsageError(BriefingError):
    """The command line asks for something impossible."""

    exit_code = 2


class InputError(BriefingError):
    """One input file or URL cannot be read. Ingest turns these into warnings and goes on."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


@dataclass(frozen=True)
class Problem:
    """One source (a file, "file:line", a URL) that could not be used, or only in part, and why: a warning kept
    as a value. ``str()`` gives the one line shown: "<source>: <problem>"."""

    source: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"

    def redacted(self) -> "Problem":
        """The same problem with any user name or password in a URL removed from both parts."""
        from .util.urls import redact_credentials

        return Problem(redact_credentials(self.source), redact_credentials(self.problem))


class NoInputError(BriefingError):
    """Nothing usable was left to make a briefing from."""


class ModelError(BriefingError):
    """A language model that ships inside a package could not be loaded."""


class RenderError(BriefingError):
    """A template is broken or an output file could not be written."""


class DeliveryError(BriefingError):
    """The briefing could not be emailed or published. The files stay in place."""


class LockError(BriefingError):
    """Another run holds the lock for the same output."""

    exit_code = 3


class OutputError(BriefingError):
    """The output folder, or a file the job keeps there (lock, history), cannot be created, written or locked:
    read-only, a file where a folder should be, no permission, disk full. Not "another run": retrying will not
    help until someone fixes it."""

    exit_code = 4


class EngineError(BriefingError):
    """The distributed engine (``extract.engine: dask``) is missing, cannot be reached or lost a task."""
