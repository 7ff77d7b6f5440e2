"""``manage.py retention_check``: list the assets past their retention date and flag them (and their descendants)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from compliance.retention import retention_sweep
from core.audit import Actor


class Command(BaseCommand):
    help = (
        "List assets past their retention date and flag them and every version derived from them "
        "(idempotent; the same sweep Celery beat runs daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Check as of this date (YYYY-MM-DD) instead of today.")
        parser.add_argument("--dry-run", action="store_true", help="Only list; flag nothing.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        sweep = retention_sweep(actor=Actor.command("retention_check"), today=_parse(options["date"]), dry_run=dry_run)
        if options["json"]:
            self.stdout.write(_json(sweep))
            return
        self.stdout.write(f"{len(sweep.expired)} asset(s) past their retention date on {sweep.today.isoformat()}")
        for item in sweep.expired:
            note = "  [newly flagged]" if item.asset.pk in sweep.newly_expired and not dry_run else ""
            self.stdout.write(
                f"  {item.asset.qualified_name}  ({item.asset.kind})  retention until {item.retention_until}, "
                f"{item.days_overdue} day(s) overdue, {item.versions} version(s), "
                f"{item.flagged_versions} flagged version(s){note}"
            )
        if dry_run:
            self.stdout.write("Dry run: nothing flagged.")
        else:
            self.stdout.write(f"Flags: {sweep.changes.raised} raised, {sweep.changes.cleared} cleared.")


def _parse(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


def _json(sweep) -> str:
    return json.dumps(
        {
            "date": sweep.today.isoformat(),
            "dry_run": sweep.dry_run,
            "expired": [e.as_dict() for e in sweep.expired],
            "newly_expired": sweep.newly_expired,
            "raised": sweep.changes.raised,
            "cleared": sweep.changes.cleared,
        },
        indent=2,
    )
