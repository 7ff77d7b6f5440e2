from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; report OK or the first broken link (exit status 1)."

    def handle(self, *args, **options):
        count, broken = verify_chain()
        if broken is None:
            self.stdout.write(self.style.SUCCESS(f"OK: {count} audit events, hash chain intact."))
            return
        where = f"audit event #{broken.event_id}" if broken.event_id is not None else "chain head"
        raise CommandError(f"BROKEN at {where} (after {count} valid events): {broken.reason}")
