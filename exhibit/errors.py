"""The expected failures of exhibit: raised where they happen, recorded on the exhibit at one boundary."""

from __future__ import annotations


class ExhibitError(Exception):
    """Base of every failure exhibit expects and reports to the user instead of crashing."""

    status = "failed"


class UserError(ExhibitError):
    """The user asked for something that cannot be done (unknown ID, missing archive, bad query)."""


class FileProblem(ExhibitError):
    """A file could not be (fully) processed; the exhibit keeps its bytes and records this status."""

    status = "failed"


class CorruptFile(FileProblem):
    status = "corrupt"


class EmptyFile(FileProblem):
    status = "empty"


class Encrypted(FileProblem):
    status = "encrypted"


class LimitExceeded(FileProblem):
    """An expansion limit (bytes, ratio, depth, member count, pixels) was reached."""

    status = "expansion_limit"


class PathTraversal(FileProblem):
    status = "path_traversal"


class OcrFailed(FileProblem):
    status = "failed"


class QueryError(UserError):
    """A malformed search query; `position` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position
