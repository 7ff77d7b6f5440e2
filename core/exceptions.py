"""Application errors raised by services and mapped to 4xx answers by every interface."""

__all__ = ("ApplicationError", "NotFound", "PermissionDenied", "Conflict")


class ApplicationError(Exception):
    """A business rule refused the operation; ``message`` is safe to show, ``extra`` carries details."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    status_code = 404


class PermissionDenied(ApplicationError):
    status_code = 403


class Conflict(ApplicationError):
    status_code = 409
