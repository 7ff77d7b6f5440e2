"""
The subject-request scenario of issue 5, built through the real doors: REST for datasets, versions and scans,
OpenLineage over HTTP for the pipelines, REST for the deployment.

    customers@1 (CSV, scanned in full mode, holds the subject's e-mail)
      ├─(etl)─> customers_clean@1 ─(training)─> churn@1 ─(fine-tune)─> churn-ft@1 ─(quantise)─> churn-ft-int8@1
      │                                                                                   └─> deployment
      └─(anonymisation)─> customers_anon@1 ─(training)─> segments@1   (anonymised: no action, nothing below)
    events@1 ─(training)─> forecaster@1                                 (unrelated)

Scans commit (transactional tests) as in production: each scan's subject keys are published in its own
transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from catalog.choices import PrivacyMeasure
from catalog.models import AssetVersion, Deployment
from compliance.identifiers import subject_digest
from compliance.models import ColumnFinding, Scan, SubjectKey
from compliance.services_requests import subject_request_create
from core.audit import Actor
from lineage.choices import InputRole, JobType
from tests.compliance.scans.conftest import PLANTED, write_people_csv
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive
from tests.lineage.ol import dataset, post, run_event

SUBJECT_EMAIL = PLANTED["email"]  # "Jane.Planted@Example.COM" in the CSV
RAW = ("file", "crm/customers")


@dataclass
class Scenario:
    officer: object
    scientist: object
    versions: dict[str, int] = field(default_factory=dict)
    deployment: int | None = None
    tmp: Path | None = None

    def v(self, name: str) -> int:
        return self.versions[name]


def scan_version(client, version_id: int, *, full: bool = True) -> dict:
    """Scan a version over REST (the eager scan runs when the request commits)."""
    response = client.post("/api/scans/", {"version": version_id, "full": full}, format="json")
    assert response.status_code == 202, response.content
    scan = client.get(f"/api/scans/{response.json()['id']}/").json()
    assert scan["status"] == "succeeded", scan["error"]
    return scan


def register_raw_version(client, asset_id: int, label: str, path: Path) -> int:
    response = client.post(
        "/api/versions/", {"asset": asset_id, "version": label, "uri": f"file://{path}"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _lineage(client, minutes: int, job: str, job_type: str, inputs: list[dict], outputs: list[dict]) -> None:
    event = run_event(
        "COMPLETE", minutes=minutes, job=("pipelines", job), job_type=job_type, inputs=inputs, outputs=outputs
    )
    response = post(client, event)
    assert response.status_code == 201, response.content


def _version_id(namespace: str, name: str, label: str = "1") -> int:
    return AssetVersion.objects.get(asset__namespace=namespace, asset__name=name, version=label).pk


@pytest.fixture
def scenario(transactional_db, api_client, tmp_path) -> Scenario:
    scientist = api_client("scientist", scheme="Bearer")
    officer = api_client("officer")
    s = Scenario(officer=officer, scientist=scientist, tmp=tmp_path)
    # given a raw CSV with e-mails, registered (which scans it) and scanned again in full mode
    raw = scientist.post(
        "/api/datasets/", {"namespace": RAW[0], "name": RAW[1], "licence": "CC-BY-4.0"}, format="json"
    ).json()
    s.versions["raw_asset"] = raw["id"]
    s.versions["raw"] = register_raw_version(scientist, raw["id"], "1", write_people_csv(tmp_path / "c1.csv", rows=60))
    scan = scan_version(scientist, s.v("raw"))
    assert scan["subject_keys"] > 0
    # and the pipelines, sent as OpenLineage events
    _lineage(
        scientist,
        1,
        "clean_customers",
        "QUERY",
        [dataset(*RAW, version="1")],
        [dataset("file", "crm/customers_clean", version="1")],
    )
    _lineage(
        scientist,
        2,
        "train_churn",
        "TRAINING",
        [dataset("file", "crm/customers_clean", version="1")],
        [dataset("mlflow", "models/churn", model=True, version="1")],
    )
    _lineage(
        scientist,
        3,
        "finetune_churn",
        "FINE_TUNING",
        [dataset("mlflow", "models/churn", model=True, version="1")],
        [dataset("mlflow", "models/churn-ft", model=True, version="1")],
    )
    _lineage(
        scientist,
        4,
        "quantise_churn",
        "QUANTISATION",
        [dataset("mlflow", "models/churn-ft", model=True, version="1")],
        [dataset("mlflow", "models/churn-ft-int8", model=True, version="1")],
    )
    _lineage(
        scientist,
        5,
        "anonymise_customers",
        "ANONYMISATION",
        [dataset(*RAW, version="1")],
        [dataset("file", "exports/customers_anon", version="1")],
    )
    _lineage(
        scientist,
        6,
        "train_segments",
        "TRAINING",
        [dataset("file", "exports/customers_anon", version="1")],
        [dataset("mlflow", "models/segments", model=True, version="1")],
    )
    _lineage(
        scientist,
        7,
        "train_forecaster",
        "TRAINING",
        [dataset("file", "ops/events", version="1")],
        [dataset("mlflow", "models/forecaster", model=True, version="1")],
    )
    for name, (namespace, asset) in {
        "clean": ("file", "crm/customers_clean"),
        "churn": ("mlflow", "models/churn"),
        "churn_ft": ("mlflow", "models/churn-ft"),
        "int8": ("mlflow", "models/churn-ft-int8"),
        "anon": ("file", "exports/customers_anon"),
        "segments": ("mlflow", "models/segments"),
        "events": ("file", "ops/events"),
        "forecaster": ("mlflow", "models/forecaster"),
    }.items():
        s.versions[name] = _version_id(namespace, asset)
    # and the quantised model serving in production
    response = officer.post(
        "/api/deployments/",
        {"model_version": s.v("int8"), "environment": "production", "endpoint": "https://api.example.com/churn"},
        format="json",
    )
    assert response.status_code == 201, response.content
    s.deployment = response.json()["id"]
    return s


def database_text() -> str:
    """Every row of every table of the database, as text (PostgreSQL: row_to_json; SQLite: every column)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT row_to_json(t)::text FROM {quoted} t")  # noqa: S608
                chunks.extend(row[0] for row in cursor.fetchall())
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
                chunks.extend(json.dumps([str(c) for c in row]) for row in cursor.fetchall())
    return "\n".join(chunks)


#
# Fast fixtures: a published scan's subject keys written directly (no source to read)
#
KEY = b"test-subject-key"


def index_subject(version, *identifiers: tuple[str, str], full: bool = True, column: str = "email"):
    """Publish a scan of ``version`` whose subject-key index holds ``identifiers`` (``(kind, value)`` pairs)."""
    scan = Scan.objects.create(
        version=version, location="test", full=full, status="succeeded", finished_at=timezone.now()
    )
    ColumnFinding.objects.create(
        scan=scan, version=version, column=column, ordinal=0, verdict="IS", entities=[], indexed=True
    )
    SubjectKey.objects.bulk_create(
        SubjectKey(version=version, scan=scan, digest=bytes.fromhex(subject_digest(k, v, key=KEY)), kind=k)
        for k, v in identifiers
    )
    return scan


@pytest.fixture
def chain(db):
    """raw (holds jane@example.com) → clean → model, model deployed; raw → anonymised export."""
    v = {
        "raw": VersionFactory(asset=AssetFactory(namespace="s3://crm", name="customers")),
        "clean": VersionFactory(asset=AssetFactory(namespace="s3://crm", name="clean")),
        "export": VersionFactory(
            asset=AssetFactory(namespace="s3://crm", name="export"), privacy_measure=PrivacyMeasure.ANONYMISED
        ),
        "model": VersionFactory(asset=ModelAssetFactory(namespace="mlflow", name="models/churn")),
    }
    index_subject(v["raw"], ("email", "jane@example.com"))
    derive([v["raw"]], [v["clean"]], job="clean")
    derive([(v["clean"], InputRole.TRAINING_DATA)], [v["model"]], job="train", job_type=JobType.TRAINING)
    derive([v["raw"]], [v["export"]], job="export", job_type=JobType.ANONYMISATION)
    v["deployment"] = Deployment.objects.create(
        model_version=v["model"], environment="production", deployed_at=timezone.now()
    )
    return v


def officer_actor(user):
    return Actor.for_user(user, channel="api")


@pytest.fixture
def erasure(chain, officer):
    """An erasure request for jane@example.com over ``chain``, received today."""
    return subject_request_create(
        kind="erasure", identifiers=[("email", "Jane@Example.com")], actor=officer_actor(officer)
    )
