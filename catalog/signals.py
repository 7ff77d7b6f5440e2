"""
Signals the catalog sends for decoupled side effects (documented in docs/signals.md).

``version_registered(version, actor)`` is sent inside the registering transaction, after the version and its
fields are saved; receivers that write must do so in that transaction (it commits or rolls back with them).
"""

from django.dispatch import Signal

__all__ = ("version_registered",)

version_registered = Signal()
