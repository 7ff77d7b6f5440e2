"""``manage.py ingest_openlineage FILE…``: load OpenLineage events from files (or stdin) through the same service."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.audit import Actor
from core.models import User
from lineage.ingestion import (
    EventOutcome,
    IngestUnavailable,
    Rejection,
    openlineage_event_prepare,
    openlineage_events_ingest,
)

MAX_REASONS = 50


class Command(BaseCommand):
    help = (
        "Ingest OpenLineage events from JSON files (one event or an array), JSONL files (one event per line) "
        "or '-' for stdin; gzip is detected. Prints accepted / duplicate / rejected counts with the reasons and "
        "exits non-zero when any event was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="JSON or JSONL file, or - for stdin.")
        parser.add_argument("--batch-size", type=int, default=500, help="Events per transaction (default 500).")
        parser.add_argument("--user", help="Record this user as the principal of the events (default: none).")

    def handle(self, *args, files: list[str], batch_size: int = 500, user: str | None = None, **options):
        principal = None
        if user:
            principal = User.objects.filter(username=user).first()
            if principal is None:
                raise CommandError(f"no user named {user!r}")
        actor = Actor.command("ingest_openlineage", user=principal)
        items = list(self._read_all(files))
        counts = {EventOutcome.ACCEPTED: 0, EventOutcome.DUPLICATE: 0, EventOutcome.REJECTED: 0}
        reasons: list[str] = []
        progress = tqdm(
            total=len(items), unit="event", disable=not sys.stderr.isatty(), file=sys.stderr, desc="ingesting"
        )
        try:
            for start in range(0, len(items), max(1, batch_size)):
                chunk = items[start : start + max(1, batch_size)]
                prepared = [
                    Rejection(reason=payload.reason, violations=[])
                    if isinstance(payload, _Unreadable)
                    else openlineage_event_prepare(payload)
                    for _, payload in chunk
                ]
                result = openlineage_events_ingest(
                    payloads=[p for _, p in chunk], actor=actor, atomic=False, prepared=prepared
                )
                for index, outcome in enumerate(result.outcomes):
                    counts[outcome] += 1
                    if outcome == EventOutcome.REJECTED:
                        reasons.append(f"{chunk[index][0]}: {result.rejections[index].reason}")
                progress.update(len(chunk))
        except IngestUnavailable as exc:
            raise CommandError(f"{exc.message} ({sum(counts.values())} of {len(items)} events processed)") from exc
        finally:
            progress.close()
        self.stdout.write(
            f"accepted: {counts[EventOutcome.ACCEPTED]}, duplicate: {counts[EventOutcome.DUPLICATE]}, "
            f"rejected: {counts[EventOutcome.REJECTED]}"
        )
        for line in reasons[:MAX_REASONS]:
            self.stdout.write(f"  rejected {line}")
        if len(reasons) > MAX_REASONS:
            self.stdout.write(f"  … and {len(reasons) - MAX_REASONS} more")
        if reasons:
            raise CommandError(f"{len(reasons)} event(s) rejected")

    def _read_all(self, files: list[str]) -> Iterator[tuple[str, Any]]:
        for name in files:
            yield from _events_of(name, _read_bytes(name))


class _Unreadable:
    """A line or file that is not JSON: reported as rejected like an invalid event."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _read_bytes(name: str) -> bytes:
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CommandError(f"{name}: invalid gzip data ({exc})") from exc
    return data


def _events_of(name: str, data: bytes) -> Iterator[tuple[str, Any]]:
    label = "stdin" if name == "-" else name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{label}: not UTF-8 ({exc})") from exc
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    else:
        if isinstance(whole, list):
            for index, item in enumerate(whole):
                yield f"{label}[{index}]", item
        else:
            yield label, whole
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"{label}:{number}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"{label}:{number}", _Unreadable(f"not JSON ({exc.msg}, column {exc.colno})")
