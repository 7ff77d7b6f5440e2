"""
Marquez node ids: ``dataset:<ns>:<name>``, ``job:<ns>:<name>``, ``datasetField:<ns>:<dataset>:<field>``,
``run:<uuid>``, each but ``run`` with an optional ``#<version>``.

Namespaces contain ``:`` (``s3://bucket``, ``postgres://host:5432``, ``kafka://h1:9092,h2:9092``) and so may
names, so splitting is heuristic, as in Marquez (``NodeId.parts``): a ``:`` followed by ``//`` never separates,
and inside a URI namespace (``scheme://…``) a ``:<digits>`` port followed by ``:`` or ``,`` belongs to the
namespace. Marquez skips every ``:<digit>``; here the port rule is limited to URI authorities so that
``dataset:s3://b:2024/events``, ``dataset:s3://b:2024`` and ``job:airflow:123`` split as intended. Known
ambiguities: a name that starts with ``<digits>:`` directly after a URI host (``s3://b:2024:x`` reads as namespace
``s3://b:2024``, name ``x``), a URI namespace with a port but no name (``postgres://h:5432`` reads as namespace
``postgres://h``, name ``5432``) and a name containing ``#`` (read as a version separator). The dataset/field
split uses the **last** ``:``, so field names must not contain ``:``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

__all__ = ("NodeId", "NodeType", "format_node_id", "parse_node_id")


class NodeType(StrEnum):
    """The node id prefixes; ``graph_type`` is the ``type`` Marquez shows in lineage graphs."""

    DATASET = "dataset"
    JOB = "job"
    DATASET_FIELD = "datasetField"
    RUN = "run"

    @property
    def graph_type(self) -> str:
        """``DATASET``, ``JOB``, ``DATASET_FIELD`` or ``RUN``."""
        return {"dataset": "DATASET", "job": "JOB", "datasetField": "DATASET_FIELD", "run": "RUN"}[self.value]


@dataclass(frozen=True, slots=True)
class NodeId:
    """
    A parsed node id. For ``run`` nodes ``name`` holds the run UUID (canonical lower-case text) and
    ``namespace`` is ``None``; ``field`` is set for ``datasetField`` nodes only.
    """

    type: NodeType
    namespace: str | None
    name: str
    field: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        return format_node_id(
            self.type,
            namespace=self.namespace,
            name=self.name,
            field=self.field,
            version=self.version,
        )

    @classmethod
    def dataset(cls, namespace: str, name: str, *, version: str | None = None) -> NodeId:
        """The node id of a dataset (or of one of its versions)."""
        return cls(type=NodeType.DATASET, namespace=namespace, name=name, version=version)

    @classmethod
    def job(cls, namespace: str, name: str, *, version: str | None = None) -> NodeId:
        """The node id of a job (or of one of its versions)."""
        return cls(type=NodeType.JOB, namespace=namespace, name=name, version=version)

    @classmethod
    def dataset_field(cls, namespace: str, dataset: str, field: str, *, version: str | None = None) -> NodeId:
        """The node id of a dataset column."""
        return cls(type=NodeType.DATASET_FIELD, namespace=namespace, name=dataset, field=field, version=version)

    @classmethod
    def run(cls, run_id: uuid.UUID | str) -> NodeId:
        """The node id of a run."""
        return cls(type=NodeType.RUN, namespace=None, name=str(uuid.UUID(str(run_id))))


_PREFIXES = {node_type.value: node_type for node_type in NodeType}
_URI_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_PORT_RE = re.compile(r":\d+(?=[:,])")


def format_node_id(
    type: NodeType | str,
    *,
    namespace: str | None = None,
    name: str,
    field: str | None = None,
    version: str | None = None,
) -> str:
    """
    Build a node id string. ``run`` ids take the run UUID as ``name`` and no namespace.

    Raises ``ValueError`` for an unknown type, a missing or empty namespace/name/field, a non-UUID run id, a
    version on a run, or a version that is empty or contains ``#``.
    """
    node_type = _node_type(type)
    if version is not None and (not version or "#" in version):
        raise ValueError(f"node id version must be non-empty and contain no '#': {version!r}")
    if node_type is NodeType.RUN:
        if namespace is not None or field is not None or version is not None:
            raise ValueError("a run node id has only a run id: no namespace, field or version")
        try:
            return f"run:{uuid.UUID(name)}"
        except ValueError as exc:
            raise ValueError(f"run node id needs a UUID, got {name!r}") from exc
    if not namespace:
        raise ValueError(f"a {node_type.value} node id needs a namespace")
    if not name:
        raise ValueError(f"a {node_type.value} node id needs a name")
    parts = [node_type.value, namespace, name]
    if node_type is NodeType.DATASET_FIELD:
        if not field:
            raise ValueError("a datasetField node id needs a field")
        parts.append(field)
    elif field is not None:
        raise ValueError(f"a {node_type.value} node id has no field")
    text = ":".join(parts)
    return f"{text}#{version}" if version is not None else text


def parse_node_id(text: str) -> NodeId:
    """
    Parse a node id (see the module docstring for the splitting rules).

    Raises ``ValueError`` naming the problem: unknown prefix, missing namespace/name/field, an empty version,
    or a run id that is not a UUID.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("node id must be a non-empty string")
    prefix, sep, rest = text.partition(":")
    node_type = _PREFIXES.get(prefix)
    if not sep or node_type is None:
        expected = ", ".join(f"'{value}:'" for value in _PREFIXES)
        raise ValueError(f"node id {text!r} must start with one of {expected}")
    if node_type is NodeType.RUN:
        try:
            return NodeId(type=node_type, namespace=None, name=str(uuid.UUID(rest)))
        except ValueError as exc:
            raise ValueError(f"node id {text!r}: run id is not a UUID") from exc

    version: str | None = None
    if "#" in rest:
        rest, _, version = rest.rpartition("#")
        if not version:
            raise ValueError(f"node id {text!r}: empty version after '#'")
    namespace, name = _split_namespace(rest, text)
    field: str | None = None
    if node_type is NodeType.DATASET_FIELD:
        name, sep, field = name.rpartition(":")
        if not sep or not name or not field:
            raise ValueError(f"node id {text!r}: expected 'datasetField:<namespace>:<dataset>:<field>'")
    return NodeId(type=node_type, namespace=namespace, name=name, field=field, version=version)


def _split_namespace(rest: str, text: str) -> tuple[str, str]:
    scheme = _URI_SCHEME_RE.match(rest)
    position = scheme.end() if scheme else 0
    while True:
        colon = rest.find(":", position)
        if colon < 0:
            raise ValueError(f"node id {text!r}: expected '<type>:<namespace>:<name>'")
        if rest.startswith("://", colon):
            position = colon + 3
            continue
        if scheme and _PORT_RE.match(rest, colon):
            position = _PORT_RE.match(rest, colon).end()  # type: ignore[union-attr]
            continue
        namespace, name = rest[:colon], rest[colon + 1 :]
        if not namespace or not name:
            raise ValueError(f"node id {text!r}: namespace and name must not be empty")
        return namespace, name


def _node_type(value: NodeType | str) -> NodeType:
    if isinstance(value, NodeType):
        return value
    node_type = _PREFIXES.get(value)
    if node_type is None:
        raise ValueError(f"unknown node type {value!r}; expected one of {', '.join(_PREFIXES)}")
    return node_type
