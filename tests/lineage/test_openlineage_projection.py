"""
Projection of OpenLineage events into the graph: per-run merge, terminal-state precedence, versions, inputs at
event time, facets, column lineage, metadata, models — each sent over the endpoint as a producer would.
"""

import uuid

import pytest

from catalog.choices import AssetKind, VersionState
from catalog.models import Asset, AssetVersion, Field, Source
from core.models import AuditEvent
from lineage.choices import InputRole, JobType, RunState
from lineage.ingestion import PLACEHOLDER_VERSION, derived_version_label
from lineage.models import ColumnEdge, Edge, Job, JobDataset, OpenLineageEvent, Run, RunInput, RunStateChange
from tests.lineage.ol import T0, at, dataset, facet, post, run_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(api_client):
    client = api_client("scientist", scheme="Bearer")

    def send(*events):
        for event in events:
            response = post(client, event)
            assert response.status_code == 201, response.content
        return client

    return send


def _versions(name: str) -> list[tuple[str, str]]:
    return list(
        AssetVersion.objects.filter(asset__name=name).order_by("produced_at", "id").values_list("version", "state")
    )


def _io(run: Run) -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    inputs = {(i.version.asset.name, i.version.version, i.role) for i in run.inputs.select_related("version__asset")}
    outputs = {(o.version.asset.name, o.version.version) for o in run.outputs.select_related("version__asset")}
    return inputs, outputs


#
# Per-run merge
#


def test_inputs_and_outputs_accumulate_over_a_runs_events(send):
    # given
    run_id = uuid.uuid4()
    # when START names a and out1, RUNNING adds b, COMPLETE names nothing new (empty lists)
    send(
        run_event("START", run_id=run_id, inputs=[dataset("s3://raw", "a")], outputs=[dataset("s3://o", "out1")]),
        run_event("RUNNING", run_id=run_id, minutes=1, inputs=[dataset("s3://raw", "b")], outputs=[]),
        run_event("COMPLETE", run_id=run_id, minutes=2, inputs=[], outputs=[dataset("s3://o", "out1")]),
    )
    # then
    run = Run.objects.get(run_id=run_id)
    label = derived_version_label(run_id)
    assert _io(run) == (
        {("a", PLACEHOLDER_VERSION, InputRole.DATA), ("b", PLACEHOLDER_VERSION, InputRole.DATA)},
        {("out1", label)},
    )
    assert Edge.objects.filter(run=run).count() == 2
    assert set(JobDataset.objects.values_list("asset__name", "direction")) == {
        ("a", "input"),
        ("b", "input"),
        ("out1", "output"),
    }


def test_a_facet_replaces_its_earlier_value_and_deleted_removes_it(send):
    # given
    run_id = uuid.uuid4()
    owners = facet(owners=[{"name": "team:data", "type": "MAINTAINER"}])
    send(
        run_event(
            "START",
            run_id=run_id,
            job_facets={"documentation": facet(description="v1"), "ownership": owners},
            run_facets={"custodian_trainingMetrics": facet(metrics={"auc": 0.8})},
        )
    )
    # when a later event replaces one facet and deletes another
    send(
        run_event(
            "COMPLETE",
            run_id=run_id,
            minutes=5,
            job_facets={"documentation": facet(description="v2"), "ownership": {"_deleted": True}},
            run_facets={"custodian_trainingMetrics": facet(metrics={"auc": 0.9})},
        )
    )
    # then
    job = Job.objects.get()
    assert set(job.facets) == {"documentation"}
    assert job.facets["documentation"]["description"] == "v2"
    assert job.description == "v2"
    assert Run.objects.get().facets["custodian_trainingMetrics"]["metrics"] == {"auc": 0.9}


def test_a_late_event_does_not_overwrite_a_newer_facet(send):
    # given
    run_id = uuid.uuid4()
    send(run_event("COMPLETE", run_id=run_id, minutes=5, job_facets={"documentation": facet(description="new")}))
    # when the older START arrives afterwards
    send(run_event("START", run_id=run_id, minutes=0, job_facets={"documentation": facet(description="old")}))
    # then
    assert Job.objects.get().facets["documentation"]["description"] == "new"


#
# Run state
#


def test_a_late_start_never_reopens_a_completed_run(send):
    # given
    run_id = uuid.uuid4()
    send(run_event("START", run_id=run_id, minutes=0), run_event("COMPLETE", run_id=run_id, minutes=10))
    # when a retried START (a new event, later eventTime) and a RUNNING arrive after the terminal event
    send(run_event("START", run_id=run_id, minutes=11), run_event("RUNNING", run_id=run_id, minutes=12))
    # then
    run = Run.objects.get(run_id=run_id)
    assert (run.state, run.started_at, run.ended_at) == (RunState.COMPLETE, T0, T0.replace(minute=10))
    history = list(run.state_changes.order_by("event_time").values_list("event_type", "applied", "state_after"))
    assert history == [
        ("START", True, "START"),
        ("COMPLETE", True, "COMPLETE"),
        ("START", False, "COMPLETE"),
        ("RUNNING", False, "COMPLETE"),
    ]


def test_out_of_order_events_are_ordered_by_event_time(send):
    # given COMPLETE arrives first, then RUNNING, then START (each older than the previous)
    run_id = uuid.uuid4()
    # when
    send(
        run_event("COMPLETE", run_id=run_id, minutes=10),
        run_event("RUNNING", run_id=run_id, minutes=5),
        run_event("START", run_id=run_id, minutes=0),
    )
    # then
    run = Run.objects.get(run_id=run_id)
    assert (run.state, run.started_at, run.ended_at) == (RunState.COMPLETE, T0, T0.replace(minute=10))
    assert RunStateChange.objects.filter(run=run).count() == 3


def test_running_never_resets_started_at_and_other_changes_nothing(send):
    # given
    run_id = uuid.uuid4()
    # when
    send(
        run_event("OTHER", run_id=run_id, minutes=-1),
        run_event("START", run_id=run_id, minutes=0),
        run_event("RUNNING", run_id=run_id, minutes=3),
        run_event("OTHER", run_id=run_id, minutes=4),
    )
    # then
    run = Run.objects.get(run_id=run_id)
    assert (run.state, run.started_at, run.ended_at) == (RunState.RUNNING, T0, None)
    assert list(run.state_changes.order_by("event_time").values_list("event_type", "applied")) == [
        ("OTHER", False),
        ("START", True),
        ("RUNNING", True),
        ("OTHER", False),
    ]


def test_an_event_without_event_type_is_stored_but_changes_no_state(send):
    # given
    run_id = uuid.uuid4()
    # when
    send(run_event(None, run_id=run_id, inputs=[dataset("s3://raw", "a")]))
    # then
    run = Run.objects.get(run_id=run_id)
    assert (run.state, run.started_at) == (RunState.NEW, None)
    assert RunStateChange.objects.count() == 0
    assert OpenLineageEvent.objects.get().event_type == ""
    assert run.inputs.count() == 1


def test_two_different_terminal_events_keep_the_later_and_flag_the_conflict(send):
    # given
    run_id = uuid.uuid4()
    # when FAIL (later eventTime) arrives before COMPLETE (earlier)
    send(run_event("FAIL", run_id=run_id, minutes=9), run_event("COMPLETE", run_id=run_id, minutes=8))
    # then
    run = Run.objects.get(run_id=run_id)
    assert (run.state, run.ended_at) == (RunState.FAIL, T0.replace(minute=9))
    assert list(run.state_changes.order_by("event_time").values_list("event_type", "applied", "conflict")) == [
        ("COMPLETE", False, True),
        ("FAIL", True, False),
    ]


def test_parent_facet_links_to_a_placeholder_parent_run(send):
    # given
    parent_id, child_id = uuid.uuid4(), uuid.uuid4()
    parent_facet = facet(run={"runId": str(parent_id)}, job={"namespace": "airflow", "name": "dag"})
    # when
    send(run_event("START", run_id=child_id, job=("airflow", "dag.task"), run_facets={"parent": parent_facet}))
    # then
    child = Run.objects.select_related("parent__job").get(run_id=child_id)
    assert child.parent.run_id == parent_id
    assert (child.parent.job.namespace, child.parent.job.name, child.parent.state) == ("airflow", "dag", RunState.NEW)
    # and the parent's own events later complete the placeholder
    send(run_event("COMPLETE", run_id=parent_id, job=("airflow", "dag"), minutes=30))
    assert Run.objects.get(run_id=parent_id).state == RunState.COMPLETE
    assert Run.objects.count() == 2


#
# Versions
#


def test_each_producing_run_creates_one_output_version_labelled_by_the_version_facet_or_the_run(send):
    # given
    first, second = uuid.uuid4(), uuid.uuid4()
    # when two runs write the same dataset, the second naming its version
    send(
        run_event("START", run_id=first, outputs=[dataset("s3://o", "table")]),
        run_event("COMPLETE", run_id=first, minutes=1, outputs=[dataset("s3://o", "table")]),
        run_event("COMPLETE", run_id=second, minutes=60, outputs=[dataset("s3://o", "table", version="v2")]),
    )
    # then
    assert _versions("table") == [(derived_version_label(first), VersionState.SUPERSEDED), ("v2", VersionState.ACTIVE)]


def test_a_version_named_after_the_start_relabels_the_runs_version(send):
    # given
    run_id = uuid.uuid4()
    send(run_event("START", run_id=run_id, outputs=[dataset("mlflow://r", "models/churn/versions/7", model=True)]))
    # when
    send(
        run_event(
            "COMPLETE",
            run_id=run_id,
            minutes=5,
            outputs=[dataset("mlflow://r", "models/churn/versions/7", model=True, version="7")],
        )
    )
    # then
    assert _versions("models/churn/versions/7") == [("7", VersionState.ACTIVE)]
    assert Run.objects.get().outputs.count() == 1


def test_an_input_binds_to_the_version_current_at_the_event_time(send):
    # given versions v1 (minute 0) and v2 (minute 60) of a dataset
    send(
        run_event("COMPLETE", minutes=0, job=("etl", "w"), outputs=[dataset("s3://o", "t", version="v1")]),
        run_event("COMPLETE", minutes=60, job=("etl", "w"), outputs=[dataset("s3://o", "t", version="v2")]),
    )
    reader_late, reader_now = uuid.uuid4(), uuid.uuid4()
    # when a late event (minute 30) and a current one (minute 90) read it
    send(
        run_event("START", run_id=reader_now, minutes=90, job=("etl", "r"), inputs=[dataset("s3://o", "t")]),
        run_event("START", run_id=reader_late, minutes=30, job=("etl", "r"), inputs=[dataset("s3://o", "t")]),
    )
    # then
    assert _io(Run.objects.get(run_id=reader_late))[0] == {("t", "v1", InputRole.DATA)}
    assert _io(Run.objects.get(run_id=reader_now))[0] == {("t", "v2", InputRole.DATA)}


def test_an_input_keeps_its_first_binding_when_later_events_repeat_it(send):
    # given
    run_id = uuid.uuid4()
    send(run_event("COMPLETE", minutes=0, job=("etl", "w"), outputs=[dataset("s3://o", "t", version="v1")]))
    send(run_event("START", run_id=run_id, minutes=10, job=("etl", "r"), inputs=[dataset("s3://o", "t")]))
    # when a new version appears, then the reader completes naming the same input
    send(run_event("COMPLETE", minutes=20, job=("etl", "w"), outputs=[dataset("s3://o", "t", version="v2")]))
    send(run_event("COMPLETE", run_id=run_id, minutes=30, job=("etl", "r"), inputs=[dataset("s3://o", "t")]))
    # then
    assert _io(Run.objects.get(run_id=run_id))[0] == {("t", "v1", InputRole.DATA)}


def test_an_input_version_facet_names_the_version(send):
    # when
    send(run_event("START", inputs=[dataset("s3://features", "churn/features_v3", version="2026-11-27")]))
    # then
    assert _versions("churn/features_v3") == [("2026-11-27", VersionState.ACTIVE)]
    assert _io(Run.objects.get())[0] == {("churn/features_v3", "2026-11-27", InputRole.DATA)}


def test_a_run_reading_and_writing_the_same_table_reads_the_previous_version(send):
    # given
    send(run_event("COMPLETE", minutes=0, job=("etl", "seed"), outputs=[dataset("s3://o", "t", version="v1")]))
    run_id = uuid.uuid4()
    # when an incremental job reads t and writes t
    event = run_event(
        "START",
        run_id=run_id,
        minutes=5,
        job=("etl", "inc"),
        inputs=[dataset("s3://o", "t")],
        outputs=[dataset("s3://o", "t")],
    )
    send(event, {**event, "eventType": "COMPLETE", "eventTime": at(6)})
    # then
    inputs, outputs = _io(Run.objects.get(run_id=run_id))
    assert inputs == {("t", "v1", InputRole.DATA)}
    assert outputs == {("t", derived_version_label(run_id))}
    edge = Edge.objects.get(run__run_id=run_id)
    assert (edge.source.version, edge.target.version) == ("v1", derived_version_label(run_id))


#
# Schema, column lineage, metadata
#


def test_schema_becomes_fields_and_column_lineage_becomes_column_edges(send):
    # given
    lineage = facet(
        fields={
            "user_id": {
                "inputFields": [
                    {
                        "namespace": "s3://raw",
                        "name": "events",
                        "field": "user_id",
                        "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}],
                    }
                ]
            },
            "not_in_schema": {
                "inputFields": [
                    {
                        "namespace": "s3://raw",
                        "name": "events",
                        "field": "amount",
                        "transformations": [{"type": "DIRECT", "subtype": "AGGREGATION", "masking": True}],
                    }
                ]
            },
        },
        dataset=[
            {
                "namespace": "s3://raw",
                "name": "events",
                "field": "country",
                "transformations": [{"type": "INDIRECT", "subtype": "FILTER"}],
            }
        ],
    )
    run_id = uuid.uuid4()
    # when
    send(
        run_event(
            "COMPLETE",
            run_id=run_id,
            inputs=[dataset("s3://raw", "events", columns=("user_id", "amount", "country"))],
            outputs=[
                dataset("s3://f", "features", columns=(("user_id", "string"),), facets={"columnLineage": lineage})
            ],
        )
    )
    # then
    assert list(Field.objects.filter(version__asset__name="features").values_list("name", "data_type")) == [
        ("user_id", "string")
    ]
    assert set(Field.objects.filter(version__asset__name="events").values_list("name", flat=True)) == {
        "user_id",
        "amount",
        "country",
    }
    edges = set(
        ColumnEdge.objects.values_list(
            "source_field", "target_field", "transformation_type", "transformation_subtype", "masking"
        )
    )
    assert edges == {
        ("user_id", "user_id", "DIRECT", "IDENTITY", False),
        ("amount", "not_in_schema", "DIRECT", "AGGREGATION", True),
        ("country", "", "INDIRECT", "FILTER", False),
    }


def test_dataset_metadata_facets_land_on_the_asset(send):
    # given
    facets = {
        "symlinks": facet(identifiers=[{"namespace": "hive://metastore", "name": "db.events", "type": "TABLE"}]),
        "ownership": facet(owners=[{"name": "team:data", "type": "MAINTAINER"}]),
        "documentation": facet(description="Raw click events."),
        "dataSource": facet(name="clickhouse-prod", uri="clickhouse://etl:s3cret@ch.internal:9000/db"),
        "tags": facet(
            tags=[
                {"key": "domain", "value": "web"},
                {"key": "classification", "value": "PII", "field": "email"},
                {"key": "PII:PHONE", "value": "true", "field": "phone"},
            ]
        ),
    }
    # when
    send(run_event("START", inputs=[dataset("s3://raw", "events", facets=facets, columns=("email", "phone"))]))
    # then
    asset = Asset.objects.select_related("source").get(name="events")
    assert asset.aliases == [
        {"namespace": "hive://metastore", "name": "db.events", "type": "TABLE", "source": "symlinks"}
    ]
    assert asset.external_owners == [{"name": "team:data", "type": "MAINTAINER"}]
    assert asset.description == "Raw click events."
    assert asset.tags == ["domain:web"]
    assert asset.pii_suggestions == [
        {"field": "email", "entity": "PII", "tag": "classification=PII", "source": "openlineage"},
        {"field": "phone", "entity": "PHONE", "tag": "PII:PHONE=true", "source": "openlineage"},
    ]
    assert (asset.source.name, asset.source.uri) == ("clickhouse-prod", "clickhouse://ch.internal:9000/db")
    assert dict(Field.objects.filter(version__asset=asset).values_list("name", "pii_suggestions")) == {
        "email": ["PII"],
        "phone": ["PHONE"],
    }
    assert Source.objects.count() == 1


def test_a_documentation_facet_never_overwrites_a_description_typed_by_a_person(send):
    # given
    send(run_event("START", inputs=[dataset("s3://raw", "events")]))
    Asset.objects.filter(name="events").update(description="Curated by the data team.")
    # when
    send(run_event("START", inputs=[dataset("s3://raw", "events", facets={"documentation": facet(description="x")})]))
    # then
    assert Asset.objects.get(name="events").description == "Curated by the data team."


def test_lifecycle_drop_and_rename(send):
    # given
    send(run_event("COMPLETE", outputs=[dataset("s3://o", "old_name")]))
    rename = facet(lifecycleStateChange="RENAME", previousIdentifier={"namespace": "s3://o", "name": "old_name"})
    drop = facet(lifecycleStateChange="DROP")
    # when
    send(
        run_event(
            "COMPLETE", minutes=5, outputs=[dataset("s3://o", "new_name", facets={"lifecycleStateChange": rename})]
        ),
        run_event("COMPLETE", minutes=6, outputs=[dataset("s3://o", "scratch", facets={"lifecycleStateChange": drop})]),
    )
    # then
    old, new, scratch = (Asset.objects.get(name=n) for n in ("old_name", "new_name", "scratch"))
    assert old.dropped_at == T0.replace(minute=5)
    assert old.aliases == [
        {"namespace": "s3://o", "name": "new_name", "type": "RENAMED_TO", "source": "lifecycleStateChange"}
    ]
    assert new.aliases == [
        {"namespace": "s3://o", "name": "old_name", "type": "PREVIOUS_NAME", "source": "lifecycleStateChange"}
    ]
    assert (new.dropped_at, scratch.dropped_at) == (None, T0.replace(minute=6))


#
# Models
#


@pytest.mark.parametrize(
    ("job_type", "expected_type", "expected_role"),
    [
        ("FINE_TUNING", JobType.FINE_TUNING, InputRole.BASE_MODEL),
        ("DISTILLATION", JobType.DISTILLATION, InputRole.TEACHER_MODEL),
        ("QUANTIZATION", JobType.QUANTISATION, InputRole.BASE_MODEL),
        ("MERGE", JobType.MERGE, InputRole.MERGE_SOURCE),
    ],
)
def test_a_model_input_is_a_base_or_teacher_model_by_job_type(job_type, expected_type, expected_role, send):
    # when
    send(
        run_event(
            "COMPLETE",
            job=("ml", "derive"),
            job_type=job_type,
            inputs=[
                dataset("mlflow://r", "models/base/versions/1", model=True, version="1"),
                dataset("s3://f", "train", version="d1"),
            ],
            outputs=[dataset("mlflow://r", "models/derived/versions/1", model=True, version="1")],
        )
    )
    # then
    assert Job.objects.get().job_type == expected_type
    data_role = (
        InputRole.TRAINING_DATA if expected_type in (JobType.FINE_TUNING, JobType.DISTILLATION) else InputRole.DATA
    )
    assert _io(Run.objects.get())[0] == {("models/base/versions/1", "1", expected_role), ("train", "d1", data_role)}
    assert set(Asset.objects.values_list("name", "kind")) == {
        ("models/base/versions/1", AssetKind.MODEL),
        ("models/derived/versions/1", AssetKind.MODEL),
        ("train", AssetKind.DATASET),
    }


def test_the_custom_input_role_facet_wins_and_a_dataset_seen_as_a_model_is_promoted(send):
    # given a dataset first seen without a type
    send(run_event("COMPLETE", job=("ml", "export"), outputs=[dataset("s3://m", "adapter", version="a1")]))
    # when a training run reads it as a model with a stated role
    send(
        run_event(
            "COMPLETE",
            minutes=5,
            job=("ml", "train"),
            job_type="TRAINING",
            inputs=[
                dataset("s3://m", "adapter", model=True, role="adapter"),
                dataset("s3://f", "eval", role="eval_data"),
            ],
            outputs=[dataset("mlflow://r", "models/m/versions/1", model=True)],
        )
    )
    # then
    run = Run.objects.get(job__name="train")
    assert _io(run)[0] == {("adapter", "a1", InputRole.ADAPTER), ("eval", PLACEHOLDER_VERSION, InputRole.EVAL_DATA)}
    assert Asset.objects.get(name="adapter").kind == AssetKind.MODEL


def test_model_derivation_facet_sets_the_job_type(send):
    # when
    send(
        run_event(
            "COMPLETE",
            run_facets={"custodian_modelDerivation": facet(kind="quantisation")},
            inputs=[dataset("mlflow://r", "models/a/versions/1", model=True)],
            outputs=[dataset("mlflow://r", "models/a-int8/versions/1", model=True)],
        )
    )
    # then
    assert Job.objects.get().job_type == JobType.QUANTISATION


#
# Static events and audit
#


def test_dataset_and_job_events_project_their_static_metadata(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    dataset_event = {
        "eventTime": at(0),
        "producer": "https://example.com/p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": dataset("s3://raw", "static", facets={"documentation": facet(description="Static.")}),
    }
    job_event = {
        "eventTime": at(0),
        "producer": "https://example.com/p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
        "job": {
            "namespace": "etl",
            "name": "declared",
            "facets": {"jobType": facet(processingType="BATCH", integration="DBT", jobType="MODEL")},
        },
        "inputs": [dataset("s3://raw", "static")],
        "outputs": [dataset("s3://o", "mart")],
    }
    # when
    responses = [post(client, dataset_event).status_code, post(client, job_event).status_code]
    # then
    assert responses == [201, 201]
    assert Asset.objects.get(name="static").description == "Static."
    assert Job.objects.get().job_type == JobType.ETL
    assert set(JobDataset.objects.values_list("asset__name", "direction")) == {("static", "input"), ("mart", "output")}
    assert (Run.objects.count(), AssetVersion.objects.count()) == (0, 0)
    assert list(OpenLineageEvent.objects.order_by("id").values_list("kind", "dataset_name", "job_name")) == [
        ("DatasetEvent", "static", ""),
        ("JobEvent", "", "declared"),
    ]


def test_every_stored_event_appends_one_ingest_audit_event_with_the_token_user(send, api_client):
    # given
    run_id = uuid.uuid4()
    # when
    send(run_event("START", run_id=run_id, outputs=[dataset("s3://o", "t")]))
    # then
    event = OpenLineageEvent.objects.get()
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.channel, audit.actor.username) == ("ingest", "openlineage", "scientist")
    assert (audit.object_type, audit.object_id) == ("lineage.openlineageevent", str(event.pk))
    assert audit.after["run_id"] == str(run_id)
    assert audit.after["outputs"] == [AssetVersion.objects.get().pk]
    assert (event.principal.username, event.principal_label, event.channel) == ("scientist", "scientist", "openlineage")


def test_role_stated_later_replaces_the_generic_role(send):
    # given
    run_id = uuid.uuid4()
    send(run_event("START", run_id=run_id, inputs=[dataset("s3://f", "x")], outputs=[dataset("s3://o", "y")]))
    # when
    send(run_event("COMPLETE", run_id=run_id, minutes=1, inputs=[dataset("s3://f", "x", role="eval_data")]))
    # then
    assert set(RunInput.objects.values_list("role", flat=True)) == {InputRole.EVAL_DATA}
    assert set(Edge.objects.values_list("role", flat=True)) == {InputRole.EVAL_DATA}


def test_the_stored_hash_is_the_librarys_content_hash(send):
    # given
    from lineage.openlineage import event_content_hash

    event = run_event("START", inputs=[dataset("s3://raw", "ünïcode/é")])
    # when
    send(event)
    # then
    stored = OpenLineageEvent.objects.get()
    assert stored.content_hash == event_content_hash(event)
    assert stored.payload == event


def test_a_nul_character_is_refused_with_a_reason(api_client):
    # given
    event = run_event("START")
    event["job"]["facets"]["custodian_note"] = {"text": "a\x00b"}
    # when
    response = post(api_client("scientist", scheme="Bearer"), event)
    # then
    assert response.status_code == 422
    assert response.json()["violations"][0]["message"] == "contains a NUL character (\\u0000), which cannot be stored"
    assert OpenLineageEvent.objects.count() == 0
