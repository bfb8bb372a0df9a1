"""Problems found in human-written files (playbooks, forum definitions), one `PATH:LINE: field: message` each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a file, printed as `PATH:LINE: field: message`."""

    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        """Format the problem as one grep- and editor-friendly line."""
        return f"{self.source}:{self.line}: {self.field}: {self.message}"


class FileProblems(Exception):
    """A file (or several) failed validation; every problem found is listed."""

    def __init__(self, problems: Iterable[Problem]):
        """Keep the problems and use their lines as the message."""
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
