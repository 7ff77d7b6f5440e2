"""The one exception every reader raises, and the scrubbing that keeps secrets out of its message."""

from __future__ import annotations

import re

__all__ = ("SourceReadError", "scrub_secrets")

# user:password@ inside any URL-like string, and password=… query parameters.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):(?P<secret>[^@/\s]*)@")
_PARAM_PASSWORD = re.compile(r"(?P<head>\b(?:password|passwd|pwd|secret|token)=)(?P<secret>[^&\s;]+)", re.IGNORECASE)


class SourceReadError(Exception):
    """
    A data source could not be read.

    ``reason`` is one human line meant for the person who pointed Custodian at the source ("file is empty",
    "CSV row 1,204 has 7 fields, header has 5 (line 1,205)"). It never holds a data value or a credential.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def scrub_secrets(text: str, *, secrets: tuple[str, ...] = ()) -> str:
    """Return ``text`` with URL passwords, ``password=`` parameters and every string in ``secrets`` masked."""
    text = _URL_PASSWORD.sub(r"\g<head>:***@", text)
    text = _PARAM_PASSWORD.sub(r"\g<head>***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
