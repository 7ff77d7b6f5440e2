"""``manage.py reconcile_flags``: recompute every governance flag from its causes."""

from django.core.management.base import BaseCommand

from compliance.propagation import flags_refresh_all
from core.audit import Actor


class Command(BaseCommand):
    help = (
        "Recompute personal-data, consent-withdrawn and retention-expired flags from their causes (catches lineage "
        "ingested without a signal and privacy measures changed after the fact). Idempotent; audited per change."
    )

    def handle(self, *args, **options):
        changes = flags_refresh_all(actor=Actor.command("reconcile_flags"))
        self.stdout.write(
            f"Flags: {changes.raised} raised, {changes.cleared} cleared, {changes.rerouted} re-routed "
            f"({len(changes.causes)} cause(s) changed)."
        )
