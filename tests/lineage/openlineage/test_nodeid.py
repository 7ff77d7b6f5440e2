import uuid

import pytest

from lineage.openlineage.nodeid import NodeId, NodeType, format_node_id, parse_node_id

RUN_ID = "01a2219f-5b65-7db3-a851-0e325139a157"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dataset:bigquery:proj.ds.table", NodeId(NodeType.DATASET, "bigquery", "proj.ds.table")),
        ("dataset:s3://raw-bucket:events/2024", NodeId(NodeType.DATASET, "s3://raw-bucket", "events/2024")),
        ("dataset:s3://b:2024/events", NodeId(NodeType.DATASET, "s3://b", "2024/events")),
        ("dataset:postgres://h:5432:db.schema.t", NodeId(NodeType.DATASET, "postgres://h:5432", "db.schema.t")),
        ("dataset:kafka://h:9092:orders", NodeId(NodeType.DATASET, "kafka://h:9092", "orders")),
        (
            "dataset:kafka://h1:9092,h2:9092:orders.v1",
            NodeId(NodeType.DATASET, "kafka://h1:9092,h2:9092", "orders.v1"),
        ),
        ("dataset:s3://b:a:b:c", NodeId(NodeType.DATASET, "s3://b", "a:b:c")),
        ("dataset:file:/tmp/a:b/c", NodeId(NodeType.DATASET, "file", "/tmp/a:b/c")),
        ("dataset:s3://b:/abs/path", NodeId(NodeType.DATASET, "s3://b", "/abs/path")),
        (
            "dataset:abfss://c@acct.dfs.core.windows.net:dir/file.parquet",
            NodeId(NodeType.DATASET, "abfss://c@acct.dfs.core.windows.net", "dir/file.parquet"),
        ),
        (
            "dataset:mlflow://mlflow.example.com:models/churn/versions/7",
            NodeId(NodeType.DATASET, "mlflow://mlflow.example.com", "models/churn/versions/7"),
        ),
        (
            f"dataset:postgres://h:5432:db.s.t#{RUN_ID}",
            NodeId(NodeType.DATASET, "postgres://h:5432", "db.s.t", version=RUN_ID),
        ),
        ("job:airflow:dag.task", NodeId(NodeType.JOB, "airflow", "dag.task")),
        ("job:airflow:123", NodeId(NodeType.JOB, "airflow", "123")),
        ("job:airflow://prod:dag.task#v2", NodeId(NodeType.JOB, "airflow://prod", "dag.task", version="v2")),
        ("job:my-scheduler-namespace:myjob.mytask", NodeId(NodeType.JOB, "my-scheduler-namespace", "myjob.mytask")),
        (
            "datasetField:postgres://h:5432:db.s.t:email",
            NodeId(NodeType.DATASET_FIELD, "postgres://h:5432", "db.s.t", field="email"),
        ),
        (
            "datasetField:s3://b:path:with:colons:col#7",
            NodeId(NodeType.DATASET_FIELD, "s3://b", "path:with:colons", field="col", version="7"),
        ),
        (f"run:{RUN_ID}", NodeId(NodeType.RUN, None, RUN_ID)),
        (f"run:{RUN_ID.upper()}", NodeId(NodeType.RUN, None, RUN_ID)),
    ],
)
def test_parse_node_id(text, expected):
    # when
    node = parse_node_id(text)
    # then
    assert node == expected


@pytest.mark.parametrize(
    "node",
    [
        NodeId.dataset("postgres://h:5432", "db.schema.t"),
        NodeId.dataset("s3://b", "path/with:colon/and/slashes"),
        NodeId.dataset("kafka://h:9092", "topic:partitioned"),
        NodeId.dataset("bigquery", "proj.ds.t", version="2026-11-27"),
        NodeId.dataset("file", "/tmp/a:b"),
        NodeId.dataset("hive://metastore:9083", "db.t"),
        NodeId.dataset("s3://b", "12/k"),
        NodeId.job("airflow://prod:8080", "dag.task:1"),
        NodeId.job("spark", "app.execute_insert.db_t", version=RUN_ID),
        NodeId.dataset_field("postgres://h:5432", "db.s.t", "tax_id"),
        NodeId.dataset_field("s3://b", "k:with:colons/x", "col", version="3"),
        NodeId.run(uuid.UUID(RUN_ID)),
    ],
    ids=str,
)
def test_round_trip(node):
    # when
    text = str(node)
    # then
    assert parse_node_id(text) == node


def test_all_digit_names_after_a_uri_host_stay_round_trippable():
    # given: "s3://b" + "2024" must survive, so a trailing ":<digits>" is read as a name, not as a port
    node = NodeId.dataset("s3://b", "2024")
    # when / then
    assert parse_node_id(str(node)) == node
    assert parse_node_id("dataset:postgres://h:5432") == NodeId.dataset("postgres://h", "5432")


def test_format_node_id_matches_marquez():
    # when / then
    assert (
        format_node_id("dataset", namespace="s3://raw-bucket", name="events/2024")
        == "dataset:s3://raw-bucket:events/2024"
    )
    assert format_node_id(NodeType.JOB, namespace="ns", name="j", version="v") == "job:ns:j#v"
    assert format_node_id("datasetField", namespace="ns", name="t", field="c") == "datasetField:ns:t:c"
    assert format_node_id("run", name=RUN_ID.upper()) == f"run:{RUN_ID}"
    assert NodeType.DATASET_FIELD.graph_type == "DATASET_FIELD"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "node id must be a non-empty string"),
        ("table:ns:name", "node id 'table:ns:name' must start with one of 'dataset:', 'job:', 'datasetField:', 'run:'"),
        ("dataset", "must start with one of"),
        ("dataset:bigquery", "node id 'dataset:bigquery': expected '<type>:<namespace>:<name>'"),
        ("dataset::name", "node id 'dataset::name': namespace and name must not be empty"),
        ("dataset:ns:", "node id 'dataset:ns:': namespace and name must not be empty"),
        ("dataset:postgres://h:5432:", "node id 'dataset:postgres://h:5432:': namespace and name must not be empty"),
        ("job:s3://", "node id 'job:s3://': expected '<type>:<namespace>:<name>'"),
        ("dataset:ns:name#", "node id 'dataset:ns:name#': empty version after '#'"),
        (
            "datasetField:ns:table",
            "node id 'datasetField:ns:table': expected 'datasetField:<namespace>:<dataset>:<field>'",
        ),
        ("run:run_id", "node id 'run:run_id': run id is not a UUID"),
    ],
)
def test_malformed_node_ids_raise_a_clear_value_error(text, message):
    with pytest.raises(ValueError) as caught:
        parse_node_id(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "table", "namespace": "ns", "name": "n"}, "unknown node type 'table'"),
        ({"type": "dataset", "name": "n"}, "a dataset node id needs a namespace"),
        ({"type": "job", "namespace": "ns", "name": ""}, "a job node id needs a name"),
        ({"type": "datasetField", "namespace": "ns", "name": "t"}, "a datasetField node id needs a field"),
        ({"type": "dataset", "namespace": "ns", "name": "t", "field": "c"}, "a dataset node id has no field"),
        ({"type": "run", "name": "run_id"}, "run node id needs a UUID, got 'run_id'"),
        ({"type": "run", "name": RUN_ID, "version": "1"}, "a run node id has only a run id"),
        ({"type": "dataset", "namespace": "ns", "name": "t", "version": "a#b"}, "contain no '#'"),
    ],
)
def test_format_node_id_rejects_incomplete_ids(kwargs, message):
    # given
    node_type = kwargs.pop("type")
    # when / then
    with pytest.raises(ValueError, match=message):
        format_node_id(node_type, **kwargs)
