"""Blame goes in the type: a user's mistake is a UserError, anything else is our bug."""

from __future__ import annotations

from mmcheck.record import Record


class Span(Record):
    """A position in a source file: 1-based line and column, and the line's text."""

    __slots__ = ("line", "col", "text", "length")

    line: int
    col: int
    text: str
    length: int

    def __init__(self, line: int, col: int, text: str = "", length: int = 1) -> None:
        self.line = line
        self.col = col
        self.text = text
        self.length = length


class UserError(Exception):
    """Bad input: rendered as ``path:line:col: message``, the offending line, a caret."""

    def __init__(self, message: str, span: Span | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.path = path

    def with_path(self, path: str) -> UserError:
        return UserError(self.message, self.span, path)

    def render(self) -> str:
        where = self.path or "<input>"
        if self.span is None:
            return f"{where}: {self.message}"
        head = f"{where}:{self.span.line}:{self.span.col}: {self.message}"
        if not self.span.text:
            return head
        text = self.span.text.rstrip("\n").expandtabs(1)
        caret = " " * (self.span.col - 1) + "^" * max(1, self.span.length)
        return f"{head}\n    {text}\n    {caret}"


class Unsupported(Exception):
    """A well-formed test that uses something mmcheck does not model (yet).

    The verdict is reported as unsupported with this reason, never guessed.
    """

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    def reason(self) -> str:
        """The message, with where it was found: a test's ``unsupported`` text."""
        at = self.span
        return self.message + (f" (line {at.line}, column {at.col})" if at else "")

    def render(self, path: str = "") -> str:
        where = path or "<input>"
        if self.span is None:
            return f"{where}: unsupported: {self.message}"
        return f"{where}:{self.span.line}:{self.span.col}: unsupported: {self.message}"


class Incomplete(Exception):
    """The search was stopped by a limit (time, executions) before it finished."""
