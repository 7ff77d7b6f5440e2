"""
``manage.py demo``: load the demo catalog (idempotent) and the demo users.

The story: raw datasets from different sources and licences (one CC-BY-NC), a cleaned derived dataset, a
training run, a fine-tune of that model, a quantised version of the fine-tune, and a production deployment.
"""

import csv
import os
import random
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from catalog import services as catalog_services
from catalog.choices import AssetKind, AssetStatus, ConsentStatus, LawfulBasis, PrivacyMeasure, SourceKind
from catalog.models import Asset, AssetVersion, Deployment, Purpose, Source
from compliance.choices import FindingReview, ScanStatus
from compliance.models import ProcessingActivity, Scan, SubjectRequest
from compliance.models.governance import PartyRole, RecipientCategory
from compliance.ropa import party_create, processing_activity_create, recipient_create, recipient_update
from compliance.services import finding_review
from compliance.services_requests import subject_request_create
from core import roles
from core.audit import Actor
from core.models import User
from lineage import services as lineage_services
from lineage.choices import InputRole, JobType

DEFAULT_PASSWORD = "custodian-demo"

USERS = (
    ("officer", roles.COMPLIANCE_OFFICER, True),
    ("scientist", roles.DATA_SCIENTIST, False),
    ("auditor", roles.AUDITOR, True),
)


def _at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


def write_demo_tickets(path: Path, *, rows: int = 2_000, seed: int = 2026) -> Path:
    """Fake support tickets (Faker, seeded): ids, customer names, emails, phones, free-text bodies, timestamps."""
    from faker import Faker

    fake = Faker(["en_US", "en_GB"])
    fake.seed_instance(seed)
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "customer_id", "customer_name", "email", "phone", "channel", "body", "opened_at"])
        for i in range(rows):
            name = fake.name()
            body = fake.sentence(nb_words=12)
            if rng.random() < 0.2:
                body += f" Please reply to {fake.email()}."
            writer.writerow(
                [
                    100_000 + i,
                    f"CUST-{rng.randrange(10_000, 99_999)}",
                    name,
                    fake.email(),
                    fake.phone_number(),
                    rng.choice(["email", "chat", "phone"]),
                    body,
                    fake.date_time_between("-1y", "now").isoformat(timespec="seconds"),
                ]
            )
    return path


class Command(BaseCommand):
    help = "Load the demo catalog and create the users officer, scientist and auditor (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-credentials", action="store_true", help="Do not print passwords and tokens.")

    def handle(self, *args, quiet_credentials=False, **options):
        password = os.environ.get("CUSTODIAN_DEMO_PASSWORD") or DEFAULT_PASSWORD
        users = self._users(password)
        actor = Actor.for_user(users["officer"], channel="command")
        scientist = Actor.for_user(users["scientist"], channel="command")
        with transaction.atomic():
            created = self._catalog(actor, scientist)
        self.stdout.write(self.style.SUCCESS("Demo catalog " + ("loaded." if created else "already present.")))
        # The ticket file's scan ran when the catalog committed (in-process without a broker): now the officer's
        # side of the story — a reviewed finding, the record of processing, and an erasure request.
        self.stdout.write(self._compliance(actor))
        if not quiet_credentials:
            self.stdout.write(f"Users (password: {password}):")
            for username, role, _ in USERS:
                token = Token.objects.get_or_create(user=users[username])[0].key
                self.stdout.write(f"  {username:<10} role {role:<19} API token {token}")

    def _compliance(self, officer: Actor) -> str:
        tickets = AssetVersion.objects.filter(asset__name="support/tickets", version="2026-11-01").first()
        scan = Scan.objects.filter(version=tickets, status=ScanStatus.SUCCEEDED).first() if tickets else None
        if scan is None:
            return "The ticket file's scan has not finished yet (workers are running it); run `manage.py demo` again."
        with transaction.atomic():
            for finding in scan.findings.filter(column__in=("email", "customer_name"), review=FindingReview.PENDING):
                finding_review(
                    finding=finding,
                    decision=FindingReview.CONFIRMED,
                    actor=officer,
                    note="Customer contact details, as expected for support tickets.",
                )
            self._ropa(officer, tickets.asset)
            if not SubjectRequest.objects.exists():
                with open(tickets.uri.removeprefix("file://"), encoding="utf-8") as handle:
                    first = next(csv.DictReader(handle))
                subject_request_create(
                    kind="erasure",
                    identifiers=[{"kind": "email", "value": first["email"]}],
                    actor=officer,
                    received_on=_at(20).date(),
                    today=_at(28).date(),
                )
        return "Compliance demo: findings confirmed, processing activity recorded, one erasure request open."

    def _ropa(self, officer: Actor, tickets: Asset) -> None:
        if ProcessingActivity.objects.filter(name="Customer support automation").exists():
            return
        controller = party_create(
            actor=officer,
            name="Acme Support Ltd",
            contact="privacy@acme.example",
            roles=[PartyRole.CONTROLLER],
            country="DE",
        )
        dpo = party_create(
            actor=officer, name="Acme DPO office", contact="dpo@acme.example", roles=[PartyRole.DPO], country="DE"
        )
        helpdesk = party_create(
            actor=officer,
            name="HelpDeskCloud Inc.",
            contact="legal@helpdesk.example",
            roles=[PartyRole.PROCESSOR],
            country="US",
            third_country=True,
        )
        recipient = recipient_create(
            actor=officer,
            party=helpdesk,
            category=RecipientCategory.PROCESSOR,
            description="Ticketing system hosting the raw tickets.",
        )
        recipient_update(recipient=recipient, data={"datasets": [tickets]}, actor=officer)
        clean = Asset.objects.get(namespace="s3://clean", name="support/tickets-clean")
        processing_activity_create(
            actor=officer,
            name="Customer support automation",
            controller=controller,
            dpo=dpo,
            description="Route and answer support tickets with a trained classifier.",
            purposes=[
                {
                    "purpose": Purpose.objects.get(name="Customer support automation"),
                    "legitimate_interests_assessment": "LIA-2026-03",
                }
            ],
            data_subject_categories=["customers"],
            personal_data_categories=["contact details", "support messages"],
            recipients=[recipient],
            datasets=[tickets, clean],
            erasure_time_limits="Tickets are deleted 24 months after closure.",
            security_measures="Encryption at rest and in transit; role-based access; pseudonymised training data.",
        )

    def _users(self, password: str) -> dict[str, User]:
        users = {}
        for username, role, staff in USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            user.is_staff = staff
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    #
    # Catalog
    #
    def _source(self, actor, name, kind, **extra) -> Source:
        return Source.objects.filter(name=name).first() or catalog_services.source_create(
            actor=actor, name=name, kind=kind, **extra
        )

    def _purpose(self, actor, name, basis, description) -> Purpose:
        return Purpose.objects.filter(name=name).first() or catalog_services.purpose_create(
            actor=actor, name=name, lawful_basis=basis, description=description
        )

    def _asset(self, actor, kind, namespace, name, **fields) -> Asset:
        existing = Asset.objects.filter(namespace=namespace, name=name).first()
        if existing:
            return existing
        return catalog_services.asset_register(actor=actor, kind=kind, namespace=namespace, name=name, **fields)

    def _version(self, actor, asset, label, *, inputs=(), job_type=None, **attrs) -> AssetVersion:
        existing = AssetVersion.objects.filter(asset=asset, version=label).first()
        if existing:
            return existing
        version, _ = lineage_services.version_register_derived(
            actor=actor, asset=asset, version=label, inputs=list(inputs), job_type=job_type, **attrs
        )
        return version

    def _catalog(self, officer: Actor, scientist: Actor) -> bool:
        if Asset.objects.filter(namespace="mlflow://registry", name="models/support-classifier-ft-int8").exists():
            return False
        crm = self._source(
            officer,
            "Support desk (internal)",
            SourceKind.INTERNAL_SYSTEM,
            uri="postgres://support-db:5432",
            jurisdiction="EU",
        )
        vendor = self._source(
            officer,
            "Acme Reviews (vendor)",
            SourceKind.VENDOR_PURCHASE,
            supplier="Acme Data Ltd",
            agreement_reference="ACME-2026-014",
            acquired_on=_at(3, 10).date(),
        )
        crawl = self._source(
            officer,
            "Community forum crawl",
            SourceKind.WEB_SCRAPE,
            uri="https://forum.example.org",
            description="Public forum posts, robots.txt honoured.",
        )
        support = self._purpose(
            officer,
            "Customer support automation",
            LawfulBasis.LEGITIMATE_INTERESTS,
            "Route and answer support tickets automatically.",
        )

        tickets = self._asset(
            scientist,
            AssetKind.DATASET,
            "s3://raw",
            "support/tickets",
            source=crm,
            licence="NOASSERTION",
            description="Raw support tickets with customer emails and names.",
            lawful_basis=LawfulBasis.CONSENT,
            consent_status=ConsentStatus.GIVEN,
            purposes=[support],
        )
        reviews = self._asset(
            scientist,
            AssetKind.DATASET,
            "s3://vendor",
            "acme/product-reviews",
            source=vendor,
            licence="CC-BY-NC-4.0",
            description="Purchased product reviews; licensed for non-commercial use only.",
            lawful_basis=LawfulBasis.NOT_APPLICABLE,
            consent_status=ConsentStatus.NOT_REQUIRED,
        )
        forum = self._asset(
            scientist,
            AssetKind.DATASET,
            "s3://raw",
            "web/forum-posts",
            source=crawl,
            licence="CC-BY-SA-4.0",
            description="Scraped forum posts.",
            lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
        )
        clean = self._asset(
            scientist,
            AssetKind.DATASET,
            "s3://clean",
            "support/tickets-clean",
            licence="NOASSERTION",
            description="Tickets deduplicated, joined with reviews, signatures stripped.",
            purposes=[support],
        )
        base = self._asset(
            scientist,
            AssetKind.MODEL,
            "mlflow://registry",
            "models/support-classifier",
            licence="Apache-2.0",
            description="Ticket intent classifier.",
            task="text-classification",
            intended_use="Route incoming support tickets to the right queue.",
        )
        tuned = self._asset(
            scientist,
            AssetKind.MODEL,
            "mlflow://registry",
            "models/support-classifier-ft",
            licence="Apache-2.0",
            description="Fine-tuned on forum posts for product vocabulary.",
            task="text-classification",
        )
        quantised = self._asset(
            scientist,
            AssetKind.MODEL,
            "mlflow://registry",
            "models/support-classifier-ft-int8",
            licence="Apache-2.0",
            description="INT8 quantisation for CPU serving.",
            task="text-classification",
            commercial_use=True,
            intended_use="Production ticket routing.",
        )

        # A real (fake-data) file, so the demo shows a scan: verdicts, profile and subject keys.
        tickets_file = write_demo_tickets(Path(settings.MEDIA_ROOT) / "demo" / "support-tickets-2026-11-01.csv")
        tickets_v1 = self._version(
            scientist, tickets, "2026-11-01", uri=tickets_file.resolve().as_uri(), produced_at=_at(1)
        )
        reviews_v1 = self._version(
            scientist,
            reviews,
            "v3",
            uri="s3://vendor/acme/product-reviews/v3.parquet",
            row_count=120_000,
            produced_at=_at(2),
        )
        forum_v1 = self._version(
            scientist,
            forum,
            "2026-10",
            uri="s3://raw/web/forum-posts/2026-10.jsonl",
            row_count=310_552,
            produced_at=_at(2),
        )
        clean_v1 = self._version(
            scientist,
            clean,
            "2026-11-03",
            uri="s3://clean/support/tickets-clean/2026-11-03.parquet",
            inputs=[(tickets_v1, InputRole.DATA), (reviews_v1, InputRole.DATA)],
            job_type=JobType.ETL,
            privacy_measure=PrivacyMeasure.PSEUDONYMISED,
            row_count=51_873,
            produced_at=_at(3),
        )
        base_v1 = self._version(
            scientist,
            base,
            "1",
            uri="s3://models/support-classifier/1",
            inputs=[(clean_v1, InputRole.TRAINING_DATA)],
            job_type=JobType.TRAINING,
            produced_at=_at(5),
        )
        tuned_v1 = self._version(
            scientist,
            tuned,
            "1",
            uri="s3://models/support-classifier-ft/1",
            inputs=[(base_v1, InputRole.BASE_MODEL), (forum_v1, InputRole.TRAINING_DATA)],
            job_type=JobType.FINE_TUNING,
            produced_at=_at(8),
        )
        int8_v1 = self._version(
            scientist,
            quantised,
            "1",
            uri="s3://models/support-classifier-ft-int8/1",
            inputs=[(tuned_v1, InputRole.BASE_MODEL)],
            job_type=JobType.QUANTISATION,
            produced_at=_at(9),
        )
        if not Deployment.objects.filter(model_version=int8_v1).exists():
            catalog_services.deployment_create(
                actor=scientist,
                model_version=int8_v1,
                environment="production",
                endpoint="https://api.example.com/v1/tickets/route",
                deployed_at=_at(10),
            )
        catalog_services.asset_update(
            asset=tickets, data={"status": AssetStatus.APPROVED}, actor=officer, reason="Reviewed for the demo."
        )
        return True
