"""
The real ``openlineage-python`` client (HttpTransport, gzip, API-key bearer token) against a live Custodian:
a pipeline pointed at Custodian's URL needs no other change.
"""

import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    StaticDataset,
)
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.facet_v2 import dataset_type_dataset, dataset_version_dataset, job_type_job, parent_run
from openlineage.client.facet_v2 import schema_dataset as sd
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport
from openlineage.client.uuid import generate_new_uuid
from requests import HTTPError
from rest_framework.authtoken.models import Token

from catalog.choices import AssetKind
from catalog.models import Asset, AssetVersion, Field
from core.models import AuditEvent
from lineage import models as lineage_models
from lineage.choices import InputRole, JobType
from lineage.choices import RunState as State
from lineage.models import ColumnEdge, OpenLineageEvent
from tests.lineage.ol import at

PRODUCER = "https://example.com/churn/trainer/v1"

pytestmark = pytest.mark.django_db(transaction=True)


def _client(live_server, token: str, *, compression: HttpCompression | None = HttpCompression.GZIP):
    config = HttpConfig(
        url=live_server.url + "/",
        endpoint="api/v1/lineage",
        auth=ApiKeyTokenProvider({"apiKey": token}),
        compression=compression,
        timeout=10,
        retry={"total": 0},
    )
    return OpenLineageClient(transport=HttpTransport(config))


def _schema(*columns):
    return sd.SchemaDatasetFacet(
        fields=[sd.SchemaDatasetFacetFields(name=n, type=t) for n, t in columns], producer=PRODUCER
    )


def _from_raw(field, subtype):
    return cl.Fields(
        inputFields=[
            cl.InputField(
                namespace="s3://raw-bucket",
                name="events/2024",
                field=field,
                transformations=[cl.Transformation(type="DIRECT", subtype=subtype)],
            )
        ]
    )


@pytest.mark.parametrize("compression", [HttpCompression.GZIP, None], ids=["gzip", "plain"])
def test_the_reference_client_example_lands_in_the_graph(live_server, scientist, compression):
    # given the client of the reference (§14), pointed at Custodian
    client = _client(live_server, Token.objects.create(user=scientist).key, compression=compression)
    raw = InputDataset(
        namespace="s3://raw-bucket",
        name="events/2024",
        facets={"schema": _schema(("user_id", "string"), ("amount", "double"))},
    )
    features = OutputDataset(
        namespace="s3://features",
        name="churn/features_v3",
        facets={
            "schema": _schema(("user_id", "string"), ("total_amount", "double")),
            "columnLineage": cl.ColumnLineageDatasetFacet(
                fields={
                    "user_id": _from_raw("user_id", "IDENTITY"),
                    "total_amount": _from_raw("amount", "AGGREGATION"),
                },
                producer=PRODUCER,
            ),
        },
    )
    run, job = Run(runId=str(generate_new_uuid())), Job(namespace="ml-training", name="churn.features")
    # when
    for minutes, state in ((0, RunState.START), (5, RunState.COMPLETE)):
        client.emit(
            RunEvent(
                eventType=state,
                eventTime=at(minutes),
                run=run,
                job=job,
                inputs=[raw],
                outputs=[features],
                producer=PRODUCER,
            )
        )
    client.close()
    # then
    stored = lineage_models.Run.objects.get(run_id=run.runId)
    assert (stored.state, stored.origin, stored.job.name) == (State.COMPLETE, "openlineage", "churn.features")
    assert OpenLineageEvent.objects.count() == 2
    assert set(OpenLineageEvent.objects.values_list("principal__username", flat=True)) == {"scientist"}
    version = AssetVersion.objects.get(asset__name="churn/features_v3")
    assert list(Field.objects.filter(version=version).values_list("name", flat=True)) == ["user_id", "total_amount"]
    assert set(ColumnEdge.objects.values_list("target_field", "source_field", "transformation_subtype")) == {
        ("user_id", "user_id", "IDENTITY"),
        ("total_amount", "amount", "AGGREGATION"),
    }
    assert AuditEvent.objects.filter(action="ingest", channel="openlineage").count() == 2
    # and the client's own tags facet is kept verbatim on the run
    assert stored.facets["tags"]["tags"][0]["key"] == "openlineage_client_version"


def test_a_training_run_with_models_from_the_client(live_server, scientist):
    # given
    client = _client(live_server, Token.objects.create(user=scientist).key)
    model_type = dataset_type_dataset.DatasetTypeDatasetFacet(
        datasetType="MODEL", subType="MODEL_VERSION", producer=PRODUCER
    )
    parent_id = str(generate_new_uuid())
    run = Run(
        runId=str(generate_new_uuid()),
        facets={
            "parent": parent_run.ParentRunFacet(
                run=parent_run.Run(runId=parent_id),
                job=parent_run.Job(namespace="airflow", name="churn_dag"),
                producer=PRODUCER,
            )
        },
    )
    job = Job(
        namespace="ml-training",
        name="churn_model.fine_tune",
        facets={
            "jobType": job_type_job.JobTypeJobFacet(
                processingType="BATCH", integration="MLFLOW", jobType="FINE_TUNING", producer=PRODUCER
            )
        },
    )
    inputs = [
        InputDataset(
            namespace="s3://features",
            name="churn/features_v3",
            facets={
                "version": dataset_version_dataset.DatasetVersionDatasetFacet(
                    datasetVersion="2026-11-27", producer=PRODUCER
                )
            },
        ),
        InputDataset(
            namespace="mlflow://mlflow.example.com",
            name="models/churn_base/versions/2",
            facets={"datasetType": model_type},
        ),
        InputDataset(  # a custom facet as a plain dict: the convention's input role
            namespace="s3://features",
            name="churn/holdout",
            inputFacets={"custodian_inputRole": {"_producer": PRODUCER, "role": "eval_data"}},
        ),
    ]
    outputs = [
        OutputDataset(
            namespace="mlflow://mlflow.example.com",
            name="models/churn_model/versions/7",
            facets={
                "datasetType": model_type,
                "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion="7", producer=PRODUCER),
            },
        ),
    ]
    # when
    client.emit(
        RunEvent(
            eventType=RunState.COMPLETE,
            eventTime=at(0),
            run=run,
            job=job,
            inputs=inputs,
            outputs=outputs,
            producer=PRODUCER,
        )
    )
    client.close()
    # then
    stored = lineage_models.Run.objects.select_related("job", "parent").get(run_id=run.runId)
    assert stored.job.job_type == JobType.FINE_TUNING
    assert str(stored.parent.run_id) == parent_id
    roles = {(i.version.asset.name, i.version.version, i.role) for i in stored.inputs.select_related("version__asset")}
    assert roles == {
        ("churn/features_v3", "2026-11-27", InputRole.TRAINING_DATA),
        ("models/churn_base/versions/2", "unversioned", InputRole.BASE_MODEL),
        ("churn/holdout", "unversioned", InputRole.EVAL_DATA),
    }
    assert Asset.objects.get(name="models/churn_model/versions/7").kind == AssetKind.MODEL


def test_dataset_and_job_events_from_the_client(live_server, scientist):
    # given
    client = _client(live_server, Token.objects.create(user=scientist).key)
    # when
    client.emit(
        DatasetEvent(
            eventTime=at(0),
            producer=PRODUCER,
            dataset=StaticDataset(namespace="s3://raw", name="static", facets={"schema": _schema(("a", "string"))}),
        )
    )
    client.emit(
        JobEvent(
            eventTime=at(0),
            producer=PRODUCER,
            job=Job(namespace="etl", name="declared"),
            inputs=[InputDataset(namespace="s3://raw", name="static")],
            outputs=[],
        )
    )
    client.close()
    # then
    assert list(OpenLineageEvent.objects.order_by("id").values_list("kind", flat=True)) == ["DatasetEvent", "JobEvent"]
    assert Asset.objects.get(name="static").facets["schema"]["fields"] == [
        {"name": "a", "type": "string", "fields": []}
    ]


def test_the_client_raises_on_a_rejected_event_and_nothing_is_stored(live_server, scientist, auditor):
    # given an auditor's token (read-only)
    client = _client(live_server, Token.objects.create(user=auditor).key)
    event = RunEvent(
        eventType=RunState.START,
        eventTime=at(0),
        run=Run(runId=str(generate_new_uuid())),
        job=Job(namespace="etl", name="x"),
        producer=PRODUCER,
    )
    # when / then
    with pytest.raises(HTTPError) as raised:
        client.emit(event)
    assert raised.value.response.status_code == 403
    assert OpenLineageEvent.objects.count() == 0
