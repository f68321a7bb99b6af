"""Non-fatal facts about an input, carried in results rather than logged."""

from typing import Literal, NamedTuple

Severity = Literal["info", "warning", "error"]


class Finding(NamedTuple):
    """Something a reader should know: `code` is stable, `message` is for people."""

    code: str
    message: str
    where: str = ""
    severity: Severity = "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message
