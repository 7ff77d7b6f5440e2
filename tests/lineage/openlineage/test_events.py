import copy
import hashlib
import uuid
from datetime import UTC, datetime

import pytest

from lineage.openlineage.events import (
    ColumnLineageEntry,
    DatasetRef,
    DataSource,
    JobRef,
    JobType,
    LifecycleChange,
    Owner,
    ParentRef,
    SchemaField,
    Statistics,
    Symlink,
    Tag,
    column_lineage,
    data_source,
    dataset_type,
    event_content_hash,
    input_role,
    is_client_tags_facet,
    is_model,
    job_type,
    lifecycle_change,
    model_derivation,
    owners,
    parent,
    parse_event,
    schema_fields,
    scrub_uri,
    statistics,
    symlinks,
    tags,
    version_label,
)
from lineage.openlineage.validation import validate_event

# The model-training example of the OpenLineage reference, §11 (facets without _producer/_schemaURL, as there).
MODEL_EVENT = {
    "eventType": "COMPLETE",
    "eventTime": "2026-11-28T10:00:00Z",
    "producer": "https://example.com/trainer/v1",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {
        "runId": "01a2219f-5b65-7db3-a851-0e325139a157",
        "facets": {
            "executionParameters": {
                "parameters": [{"key": "learning_rate", "value": "0.01"}, {"key": "epochs", "value": "3"}],
            },
            "custodian_trainingMetrics": {"metrics": {"val_auc": 0.912}},
        },
    },
    "job": {
        "namespace": "ml-training",
        "name": "churn_model.train",
        "facets": {"jobType": {"processingType": "BATCH", "integration": "MLFLOW", "jobType": "TRAINING"}},
    },
    "inputs": [
        {
            "namespace": "s3://features",
            "name": "churn/features_v3",
            "facets": {"version": {"datasetVersion": "2026-11-27"}},
        },
        {
            "namespace": "mlflow://mlflow.example.com",
            "name": "models/churn_base/versions/2",
            "facets": {"datasetType": {"datasetType": "MODEL", "subType": "MODEL_VERSION"}},
        },
    ],
    "outputs": [
        {
            "namespace": "mlflow://mlflow.example.com",
            "name": "models/churn_model/versions/7",
            "facets": {
                "datasetType": {"datasetType": "MODEL", "subType": "MODEL_VERSION"},
                "version": {"datasetVersion": "7"},
                "symlinks": {
                    "identifiers": [{"namespace": "s3://ml-artifacts", "name": "churn/7/model.pkl", "type": "FILE"}]
                },
                "ownership": {"owners": [{"name": "team:ml-platform", "type": "MAINTAINER"}]},
            },
        },
    ],
}


def ref(facets=None, io_facets=None) -> DatasetRef:
    return DatasetRef(namespace="ns", name="ds", facets=facets or {}, io_facets=io_facets or {})


#
# parse_event
#


def test_model_example_validates_and_parses():
    # given
    payload = copy.deepcopy(MODEL_EVENT)
    # when
    result = validate_event(payload)
    event = parse_event(payload)
    # then
    assert result.violations == []
    assert event.kind == "RunEvent"
    assert event.event_type == "COMPLETE"
    assert event.event_time == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert event.producer == "https://example.com/trainer/v1"
    assert event.run_id == uuid.UUID("01a2219f-5b65-7db3-a851-0e325139a157")
    assert set(event.run_facets) == {"executionParameters", "custodian_trainingMetrics"}
    assert (event.job.namespace, event.job.name) == ("ml-training", "churn_model.train")
    assert job_type(event.job) == JobType(
        processing_type="BATCH",
        integration="MLFLOW",
        job_type="TRAINING",
        event_content_mode=None,
    )
    assert event.dataset is None
    assert event.raw == MODEL_EVENT


def test_model_example_output_is_a_model_version():
    # given
    [model] = parse_event(copy.deepcopy(MODEL_EVENT)).outputs
    # when / then
    assert (model.namespace, model.name) == ("mlflow://mlflow.example.com", "models/churn_model/versions/7")
    assert dataset_type(model) == "MODEL"
    assert is_model(model) is True
    assert version_label(model) == "7"
    assert symlinks(model) == [Symlink(namespace="s3://ml-artifacts", name="churn/7/model.pkl", type="FILE")]
    assert owners(model.facets) == [Owner(name="team:ml-platform", type="MAINTAINER")]
    assert model.io_facets == {}


def test_model_example_inputs():
    # given
    features, base_model = parse_event(copy.deepcopy(MODEL_EVENT)).inputs
    # when / then
    assert (version_label(features), is_model(features), dataset_type(features)) == ("2026-11-27", False, None)
    assert (version_label(base_model), is_model(base_model), dataset_type(base_model)) == (None, True, "MODEL")


def test_parse_dataset_and_job_events():
    # given
    dataset_event = {
        "eventTime": "2026-11-28T10:00:00+01:00",
        "dataset": {"namespace": "postgres://db:5432", "name": "shop.public.orders", "facets": {"x": {"a": 1}}},
    }
    job_event = {
        "eventTime": "2026-11-28T10:00:00Z",
        "eventType": "COMPLETE",
        "job": {"namespace": "airflow", "name": "dag.task"},
        "outputs": [{"namespace": "s3://b", "name": "k", "outputFacets": {"outputStatistics": {"rowCount": 3}}}],
    }
    # when
    parsed_dataset, parsed_job = parse_event(dataset_event), parse_event(job_event)
    # then
    assert parsed_dataset.kind == "DatasetEvent"
    assert parsed_dataset.dataset == DatasetRef(
        namespace="postgres://db:5432",
        name="shop.public.orders",
        facets={"x": {"a": 1}},
        io_facets={},
    )
    assert parsed_dataset.event_time == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert (parsed_dataset.run_id, parsed_dataset.job, parsed_dataset.inputs) == (None, None, [])
    assert parsed_job.kind == "JobEvent"
    assert (parsed_job.event_type, parsed_job.run_id, parsed_job.run_facets) == (None, None, {})
    assert parsed_job.job == JobRef(namespace="airflow", name="dag.task", facets={})
    assert statistics(parsed_job.outputs[0]) == Statistics(row_count=3, size=None, file_count=None)


def test_parse_normalises_the_malformed_tags_shape_and_drops_non_object_facets():
    # given
    payload = copy.deepcopy(MODEL_EVENT)
    payload["job"]["facets"] = {
        "_producer": "https://p",
        "_schemaURL": "https://s",
        "tags": [{"key": "environment", "value": "production", "source": "CONFIG"}],
        "weird": "text",
    }
    # when
    job = parse_event(payload).job
    # then
    assert job.facets == {
        "tags": {
            "tags": [{"key": "environment", "value": "production", "source": "CONFIG"}],
            "_producer": "https://p",
            "_schemaURL": "https://s",
        },
    }
    assert tags(job.facets) == tags(payload["job"]["facets"])
    assert [tag.key for tag in tags(job.facets)] == ["environment"]


def test_parse_rejects_invalid_events():
    # given
    no_job = copy.deepcopy(MODEL_EVENT)
    del no_job["job"]
    # when / then
    with pytest.raises(ValueError, match="job is required"):
        parse_event(no_job)
    with pytest.raises(ValueError, match="cannot determine the event kind"):
        parse_event({"eventTime": "2026-11-28T10:00:00Z"})


#
# Content hash
#


def test_content_hash_is_sha256_of_canonical_json():
    # given
    payload = {"b": [1, 2.5, None], "a": "é✓"}
    # when
    digest = event_content_hash(payload)
    # then
    assert digest == hashlib.sha256('{"a":"é✓","b":[1,2.5,null]}'.encode()).hexdigest()


def test_content_hash_ignores_key_order_but_not_values():
    # given
    reordered = dict(reversed(list(MODEL_EVENT.items())))
    changed = copy.deepcopy(MODEL_EVENT)
    changed["eventType"] = "START"
    # when / then
    assert event_content_hash(reordered) == event_content_hash(MODEL_EVENT)
    assert event_content_hash(changed) != event_content_hash(MODEL_EVENT)


#
# Accessors
#


def test_schema_fields_flatten_nested_fields_and_skip_nameless_ones():
    # given
    dataset = ref(
        {
            "schema": {
                "fields": [
                    {"name": "id", "type": "int"},
                    {"type": "nameless"},
                    {
                        "name": "address",
                        "type": "struct",
                        "ordinal_position": 7,
                        "fields": [{"name": "zip", "description": "postal code"}],
                    },
                ],
            },
        },
    )
    # when
    fields = schema_fields(dataset)
    # then
    assert fields == [
        SchemaField(name="id", type="int", description=None, ordinal=1, depth=0),
        SchemaField(name="address", type="struct", description=None, ordinal=7, depth=0),
        SchemaField(name="address.zip", type=None, description="postal code", ordinal=1, depth=1),
    ]


def test_schema_fields_of_a_dataset_without_schema():
    assert schema_fields(ref()) == []


def test_column_lineage_reads_the_deprecated_field_level_transformation():
    # given
    dataset = ref(
        {
            "columnLineage": {
                "fields": {
                    "email_hash": {
                        "inputFields": [{"namespace": "postgres://h:5432", "name": "crm.users", "field": "email"}],
                        "transformationDescription": "sha256(email)",
                        "transformationType": "MASKED",
                    },
                    "tax_id": {
                        "inputFields": [
                            {
                                "namespace": "postgres://h:5432",
                                "name": "crm.users",
                                "field": "tax_id",
                                "transformations": [{"type": "DIRECT", "subtype": "TRANSFORMATION", "masking": True}],
                            },
                            {"namespace": "postgres://h:5432", "name": "crm.users"},
                        ],
                    },
                },
            },
        },
    )
    # when
    entries = column_lineage(dataset)
    # then
    assert entries == [
        ColumnLineageEntry(
            output_field="email_hash",
            input_namespace="postgres://h:5432",
            input_name="crm.users",
            input_field="email",
            transformation_type="MASKED",
            transformation_subtype=None,
            transformation_description="sha256(email)",
            masking=False,
        ),
        ColumnLineageEntry(
            output_field="tax_id",
            input_namespace="postgres://h:5432",
            input_name="crm.users",
            input_field="tax_id",
            transformation_type="DIRECT",
            transformation_subtype="TRANSFORMATION",
            transformation_description=None,
            masking=True,
        ),
    ]


@pytest.mark.parametrize(
    ("uri", "scrubbed"),
    [
        ("postgres://admin:s3cret@db.example.com:5432/shop", "postgres://db.example.com:5432/shop"),
        ("mysql://user@host/db", "mysql://host/db"),
        ("postgres://u:p@ss@host:5432/db?sslmode=require", "postgres://host:5432/db?sslmode=require"),
        (
            "https://acct.blob.core.windows.net/c/f?sv=2024&sig=abc%2Fdef&se=2026",
            "https://acct.blob.core.windows.net/c/f?sv=2024&sig=***&se=2026",
        ),
        (
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA&X-Amz-Signature=f00",
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***",
        ),
        (
            "jdbc:sqlserver://h:1433;databaseName=x;password=p@ss;user=u",
            "jdbc:sqlserver://h:1433;databaseName=x;password=***;user=u",
        ),
        ("snowflake://acct?token=abc&warehouse=wh", "snowflake://acct?token=***&warehouse=wh"),
        ("bigquery", "bigquery"),
        ("file", "file"),
        ("s3://bucket/path/with@sign", "s3://bucket/path/with@sign"),
    ],
)
def test_scrub_uri(uri, scrubbed):
    assert scrub_uri(uri) == scrubbed


def test_data_source_scrubs_credentials():
    # given
    dataset = ref({"dataSource": {"name": "shop", "uri": "postgres://admin:s3cret@db:5432/shop"}})
    # when / then
    assert data_source(dataset) == DataSource(name="shop", uri="postgres://db:5432/shop")
    assert data_source(ref()) is None


def test_lifecycle_change():
    # given
    renamed = ref(
        {
            "lifecycleStateChange": {
                "lifecycleStateChange": "rename",
                "previousIdentifier": {"namespace": "n", "name": "o"},
            }
        },
    )
    dropped = ref({"lifecycleStateChange": {"lifecycleStateChange": "DROP"}})
    # when / then
    assert lifecycle_change(renamed) == LifecycleChange(state="RENAME", previous_namespace="n", previous_name="o")
    assert lifecycle_change(dropped) == LifecycleChange(state="DROP", previous_namespace=None, previous_name=None)
    assert lifecycle_change(ref()) is None


@pytest.mark.parametrize(
    ("tag", "is_pii", "entity"),
    [
        ({"key": "classification", "value": "PII", "field": "tax_id"}, True, None),
        ({"key": "pii", "value": "true"}, True, None),
        ({"key": "PII", "value": "email"}, True, "EMAIL"),
        ({"key": "PII:EMAIL", "value": "true"}, True, "EMAIL"),
        ({"key": "classification", "value": "PII:PHONE_NUMBER"}, True, "PHONE_NUMBER"),
        ({"key": "pii_iban", "value": "yes"}, True, "IBAN"),
        ({"key": "pii", "value": "false"}, False, None),
        ({"key": "classification", "value": "public"}, False, None),
        ({"key": "piinapple", "value": "x"}, False, None),
        ({"key": "team", "value": "pii-squad"}, False, None),
    ],
)
def test_tags_flag_pii(tag, is_pii, entity):
    # when
    [found] = tags({"tags": {"tags": [tag]}})
    # then
    assert (found.is_pii, found.pii_entity) == (is_pii, entity)


def test_tags_leave_out_the_python_clients_own_tags():
    # given: what openlineage-python 1.54 adds to every RunEvent, plus one user tag
    client_facet = {"tags": [{"key": "openlineage_client_version", "value": "1.54.0", "source": "OPENLINEAGE_CLIENT"}]}
    mixed_facet = {"tags": [{"key": "team", "value": "ml", "source": "USER"}, *client_facet["tags"]]}
    # when / then
    assert is_client_tags_facet(client_facet) is True
    assert is_client_tags_facet(mixed_facet) is False
    assert is_client_tags_facet({"tags": []}) is False
    assert tags({"tags": client_facet}) == []
    assert tags({"tags": mixed_facet}) == [
        Tag(key="team", value="ml", source="USER", field=None, is_pii=False, pii_entity=None),
    ]
    assert [tag.key for tag in tags({"tags": mixed_facet}, include_client=True)] == [
        "team",
        "openlineage_client_version",
    ]


def test_tags_of_the_malformed_shape_and_odd_values():
    # given
    facets = {"_producer": "p", "tags": [{"key": "rows", "value": 3}, {"key": "no value"}, "junk", {"value": "x"}]}
    # when / then
    assert tags(facets) == [Tag(key="rows", value="3", source=None, field=None, is_pii=False, pii_entity=None)]


def test_parent():
    # given
    run_facets = {
        "parent": {
            "run": {"runId": "3f5e83fa-3480-44ff-99c5-ff943904e5e8"},
            "job": {"namespace": "airflow", "name": "dag.task"},
            "root": {"run": {"runId": "not-a-uuid"}, "job": {"namespace": "airflow", "name": "dag"}},
        },
    }
    # when / then
    assert parent(run_facets) == ParentRef(
        run_id=uuid.UUID("3f5e83fa-3480-44ff-99c5-ff943904e5e8"),
        job_namespace="airflow",
        job_name="dag.task",
        root_run_id=None,
        root_job_namespace="airflow",
        root_job_name="dag",
    )
    assert parent(run_facets, map_non_uuid_run_ids=True).root_run_id == uuid.uuid5(uuid.NAMESPACE_URL, "not-a-uuid")
    assert parent({"parent": {"run": {}, "job": {"namespace": "a", "name": "b"}}}) is None
    assert parent({}) is None


def test_deleted_facets_are_invisible_to_accessors():
    # given
    dataset = ref({"version": {"_deleted": True, "datasetVersion": "3"}, "ownership": {"_deleted": True}})
    # when / then
    assert (version_label(dataset), owners(dataset.facets)) == (None, [])


def test_version_label_of_a_number():
    assert version_label(ref({"version": {"datasetVersion": 7}})) == "7"


@pytest.mark.parametrize(
    ("io_facets", "facets", "role"),
    [
        ({"custodian_inputRole": {"role": "training_data"}}, {}, "training_data"),
        ({}, {"custodian_inputRole": {"role": "teacher_model"}}, "teacher_model"),
        ({"custodian_inputRole": {"role": "validation"}}, {}, None),
        ({}, {}, None),
    ],
)
def test_input_role(io_facets, facets, role):
    assert input_role(ref(facets, io_facets)) == role


@pytest.mark.parametrize(
    ("facets", "kind"),
    [
        ({"custodian_modelDerivation": {"kind": "distillation"}}, "distillation"),
        ({"custodian_modelDerivation": {"kind": "magic"}}, None),
        ({}, None),
    ],
)
def test_model_derivation(facets, kind):
    assert model_derivation(facets) == kind


def test_statistics_fall_back_to_data_quality_metrics():
    # given
    dataset = ref(io_facets={"dataQualityMetrics": {"rowCount": 1000, "bytes": 1048576, "fileCount": 5}})
    # when / then
    assert statistics(dataset) == Statistics(row_count=1000, size=1048576, file_count=5)
    assert statistics(ref()) is None
