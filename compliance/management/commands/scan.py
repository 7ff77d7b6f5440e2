"""``manage.py scan PATH_OR_URL --dataset NAMESPACE/NAME [--version V] [--full] [--json]``."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from catalog.choices import AssetKind
from catalog.models import Asset, AssetVersion
from catalog.readers.errors import scrub_secrets
from catalog.readers.sql import is_database_url
from catalog.selectors import asset_by_qualified_name
from catalog.services import asset_register, version_register
from compliance.choices import ScanStatus
from compliance.services import scan_request, scan_run_local
from core.audit import Actor


def split_qualified_name(text: str) -> tuple[str, str]:
    """``s3://raw/support/tickets`` → (``s3://raw``, ``support/tickets``); ``demo/customers`` → (``demo``, …)."""
    head = text.find("://")
    cut = text.find("/", head + 3 if head >= 0 else 0)
    if cut <= 0 or cut == len(text) - 1:
        raise CommandError(f"--dataset must be NAMESPACE/NAME, got {text!r}")
    return text[:cut], text[cut + 1 :]


class Command(BaseCommand):
    help = "Scan a file or database table for personal data, profile it and index subject identifiers."
    suppressed_base_arguments = {"--version"}

    def add_arguments(self, parser):
        # Our --version labels the dataset version; it replaces Django's "print the program version".
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("location", help="Path, file:// URI or database URL")
        parser.add_argument("--dataset", required=True, help="NAMESPACE/NAME (registered if unknown)")
        parser.add_argument("--version", help="Version label (default: the content hash prefix, or a new label)")
        parser.add_argument("--query", default="", help="Table or SELECT, for a database URL")
        parser.add_argument("--full", action="store_true", help="Also index id-like columns and emails in free text")
        parser.add_argument("--json", action="store_true", help="Print the findings document as JSON")

    def handle(self, *args, location, dataset, version=None, query="", full=False, json=False, **options):
        actor = Actor.command("scan")
        if not is_database_url(location) and "://" not in location:
            path = Path(location).expanduser()
            if not path.is_file():
                raise CommandError(f"no such file: {location}")
            location = path.resolve().as_uri()
        uri = scrub_secrets(location) + (f"#{query}" if query else "")
        with transaction.atomic():
            asset = asset_by_qualified_name(dataset)
            if asset is None:
                namespace, name = split_qualified_name(dataset)
                asset = asset_register(actor=actor, kind=AssetKind.DATASET, namespace=namespace, name=name)
            target = AssetVersion.objects.filter(asset=asset, version=version).first() if version else None
            if target is None:
                label = version or self._next_label(asset)
                target = version_register(actor=actor, asset=asset, version=label, uri=uri, notify=False)
            scan = scan_request(version=target, actor=actor, location=location, query=query, full=full, enqueue=False)
        bar = tqdm(
            total=None, unit="rows", unit_scale=True, desc="scanning", file=sys.stderr, disable=not sys.stderr.isatty()
        )

        def progress(done: int, total: int | None) -> None:
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        scan = scan_run_local(scan=scan, actor=actor, progress=progress)
        bar.close()
        if scan.status != ScanStatus.SUCCEEDED:
            raise CommandError(f"scan failed: {scan.error}")
        document = findings_document(scan)
        if json:
            self.stdout.write(_json.dumps(document, indent=2, default=str))
            return
        self._print_table(scan, document)

    @staticmethod
    def _next_label(asset: Asset) -> str:
        return f"scan-{asset.versions.count() + 1}"

    def _print_table(self, scan, document) -> None:
        self.stdout.write(
            f"{scan.version.asset}@{scan.version.version}: {document['rows']} rows, "
            f"{document['subject_keys']} subject keys indexed"
        )
        for column in document["columns"]:
            entities = ", ".join(f"{e['type']} {e['hit_rate']:.0%}" for e in column["entities"]) or "-"
            examples = ", ".join(column["masked_examples"])
            self.stdout.write(f"  {column['name']:<28} {column['verdict']:<9} {entities}  {examples}")


_json = json


def findings_document(scan) -> dict:
    """``{"columns": [...], "profile": {...}, "rows", "subject_keys"}`` for a finished scan."""
    return {
        "columns": [
            {
                "name": f.column,
                "verdict": f.verdict,
                "entities": f.entities,
                "sampled": f.sampled,
                "masked_examples": f.masked_examples,
            }
            for f in scan.findings.order_by("ordinal")
        ],
        "profile": scan.version.quality_profile,
        "rows": scan.rows_total,
        "subject_keys": scan.subject_keys,
    }
