"""One base exception; the CLI and web turn it into a clean message in one place.

Problems in a report's *data* are findings (returned values), never exceptions. These exceptions are
for input that cannot be read at all, and for misuse (unknown system, bad answers file).
"""

from __future__ import annotations


class JixiaoError(Exception):
    """Base class: carries a Chinese message naming the file, the place and the fix."""

    exit_code = 2

    def __init__(
        self, message: str, *, file: str | None = None, place: str | None = None, fix: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.file = file
        self.place = place
        self.fix = fix

    def render(self) -> str:
        head = ":".join(p for p in (self.file, self.place) if p)
        text = f"{head}: {self.message}" if head else self.message
        if self.fix:
            text += f"\n处理办法：{self.fix}"
        return text


class InputError(JixiaoError):
    """The input file cannot be read as a report (empty, binary, truncated mid-table, too large…)."""


class SystemDefinitionError(JixiaoError):
    """An indicator-system file is invalid (weights do not add up, unknown rule kind…)."""


class AnswersError(JixiaoError):
    """A review-answers file does not fit the indicator system."""


class UnknownSystemError(JixiaoError):
    """No indicator system with that id."""
