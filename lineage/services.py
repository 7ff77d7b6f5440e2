"""
Lineage writes: jobs, runs and the edges that keep the graph queryable.

Whatever door a fact comes through (REST registration, OpenLineage event, admin, command), it lands here, so
one graph answers every lineage question. Each write runs in one transaction with its audit event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.choices import AssetKind, PrivacyMeasure
from catalog.models import Asset, AssetVersion
from catalog.services import version_register
from core.audit import Actor, AuditAction, audit_record, model_state
from core.exceptions import ApplicationError
from lineage.choices import InputRole, JobType, RunOrigin, RunState
from lineage.models import Edge, Job, Run, RunInput, RunOutput
from lineage.signals import edges_recorded

__all__ = (
    "default_input_role",
    "job_get_or_create",
    "run_add_io",
    "run_record",
    "version_register_derived",
)

TRAINING_JOBS = {
    JobType.TRAINING,
    JobType.FINE_TUNING,
    JobType.TRANSFER_LEARNING,
    JobType.DISTILLATION,
}


class LineageCycle(ApplicationError):
    """The run would make a version derive from itself."""


def default_input_role(*, version: AssetVersion, job_type: str) -> str:
    """
    The role of an input when none is stated: a model input is the base model (the teacher for distillation),
    a dataset input is training data for training-like jobs, evaluation data for evaluations, else data.
    """
    if version.asset.kind == AssetKind.MODEL:
        if job_type == JobType.DISTILLATION:
            return InputRole.TEACHER_MODEL
        if job_type == JobType.MERGE:
            return InputRole.MERGE_SOURCE
        return InputRole.BASE_MODEL
    if job_type in TRAINING_JOBS:
        return InputRole.TRAINING_DATA
    if job_type == JobType.EVALUATION:
        return InputRole.EVAL_DATA
    return InputRole.DATA


def job_get_or_create(
    *, actor: Actor, namespace: str, name: str, job_type: str = JobType.OTHER, description: str = ""
) -> Job:
    """The job ``(namespace, name)``, created (audited) when new; a known job type is never downgraded to other."""
    job = Job.objects.filter(namespace=namespace, name=name).first()
    if job is None:
        with transaction.atomic():
            job = Job(namespace=namespace, name=name, job_type=job_type, description=description)
            job.full_clean()
            job.save()
            audit_record(actor=actor, action=AuditAction.CREATE, obj=job, after=model_state(job))
        return job
    if job_type != JobType.OTHER and job.job_type != job_type:
        with transaction.atomic():
            before = model_state(job)
            job.job_type = job_type
            job.save(update_fields=("job_type", "updated_at"))
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=job, before=before, after=model_state(job))
    return job


def _sync_edges(run: Run) -> int:
    """Make ``Edge`` hold exactly input × output for ``run`` (idempotent). Returns the number of edges."""
    inputs = list(run.inputs.values_list("version_id", "role"))
    outputs = list(run.outputs.values_list("version_id", flat=True))
    wanted = {(src, dst): role for src, role in inputs for dst in outputs if src != dst}
    existing = set(Edge.objects.filter(run=run).values_list("source_id", "target_id"))
    missing = [
        Edge(source_id=src, target_id=dst, run=run, role=role)
        for (src, dst), role in wanted.items()
        if (src, dst) not in existing
    ]
    Edge.objects.bulk_create(missing, ignore_conflicts=True)
    stale = existing - wanted.keys()
    if stale:
        for src, dst in stale:
            Edge.objects.filter(run=run, source_id=src, target_id=dst).delete()
    return len(wanted)


@transaction.atomic
def run_add_io(
    *,
    run: Run,
    inputs: Iterable[tuple[AssetVersion, str]] = (),
    outputs: Iterable[AssetVersion] = (),
    actor: Actor | None = None,
) -> tuple[int, int]:
    """
    Add inputs (with roles) and outputs to a run — union semantics, as OpenLineage accumulates a run's IO — and
    keep its edges in sync. A known input keeps its role unless a more specific one is given. Returns the numbers
    of inputs and outputs added. Audited when ``actor`` is given and something changed.
    """
    known_inputs = dict(run.inputs.values_list("version_id", "role"))
    known_outputs = set(run.outputs.values_list("version_id", flat=True))
    new_inputs = []
    for version, role in inputs:
        if version.pk in known_inputs:
            if role != InputRole.DATA and known_inputs[version.pk] != role:
                RunInput.objects.filter(run=run, version=version).update(role=role)
                Edge.objects.filter(run=run, source=version).update(role=role)
            continue
        known_inputs[version.pk] = role
        new_inputs.append(RunInput(run=run, version=version, role=role))
    new_outputs = []
    for version in outputs:
        if version.pk not in known_outputs:
            known_outputs.add(version.pk)
            new_outputs.append(RunOutput(run=run, version=version))
    RunInput.objects.bulk_create(new_inputs, ignore_conflicts=True)
    RunOutput.objects.bulk_create(new_outputs, ignore_conflicts=True)
    if new_inputs or new_outputs:
        _sync_edges(run)
        edges_recorded.send(sender=Run, runs=[run.pk], actor=actor)
        if actor is not None:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=run,
                after={
                    "added_inputs": [{"version": i.version_id, "role": i.role} for i in new_inputs],
                    "added_outputs": [o.version_id for o in new_outputs],
                },
            )
    return len(new_inputs), len(new_outputs)


@transaction.atomic
def run_record(
    *,
    actor: Actor,
    job: Job,
    inputs: Sequence[tuple[AssetVersion, str]] = (),
    outputs: Sequence[AssetVersion] = (),
    run_id: uuid.UUID | None = None,
    state: str = RunState.COMPLETE,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    origin: str = RunOrigin.REST,
    facets: Mapping[str, Any] | None = None,
    parent: Run | None = None,
) -> Run:
    """
    Record one execution of ``job`` with its inputs (each with a role) and outputs, and create its edges.

    Raises ``LineageCycle`` if an output is also an input. Audited (inputs and outputs as version ids).
    """
    input_ids = {v.pk for v, _ in inputs}
    clash = [v for v in outputs if v.pk in input_ids]
    if clash:
        raise LineageCycle(f"Version {clash[0]} cannot be both an input and an output of the same run.")
    now = timezone.now()
    run = Run(
        run_id=run_id or uuid.uuid4(),
        job=job,
        state=state,
        started_at=started_at or (now if state != RunState.NEW else None),
        ended_at=ended_at or (now if state == RunState.COMPLETE else None),
        origin=origin,
        facets=dict(facets or {}),
        parent=parent,
        created_by=actor.user,
    )
    run.full_clean()
    run.save()
    RunInput.objects.bulk_create([RunInput(run=run, version=v, role=role) for v, role in inputs])
    RunOutput.objects.bulk_create([RunOutput(run=run, version=v) for v in outputs])
    edge_count = _sync_edges(run)
    if edge_count:
        edges_recorded.send(sender=Run, runs=[run.pk], actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=run,
        after=model_state(run, exclude=("facets",))
        | {
            "inputs": [{"version": v.pk, "role": role} for v, role in inputs],
            "outputs": [v.pk for v in outputs],
            "edges": edge_count,
        },
    )
    return run


@transaction.atomic
def version_register_derived(
    *,
    actor: Actor,
    asset: Asset,
    version: str,
    inputs: Sequence[tuple[AssetVersion, str | None]] = (),
    job_type: str | None = None,
    job_namespace: str | None = None,
    job_name: str | None = None,
    fields: Iterable[Mapping[str, Any]] = (),
    **attrs: Any,
) -> tuple[AssetVersion, Run | None]:
    """
    Register a version and, when it has ``inputs``, the run that produced it — the same Job, Run and Edges an
    OpenLineage event would create. An input without a role gets :func:`default_input_role`.

    The job is ``(job_namespace or asset namespace, job_name or "<asset name>.<job type>")``. An anonymisation
    job marks the new version anonymised unless a privacy measure is given. Raises ``ValidationError``.
    """
    job_type = job_type or (JobType.TRAINING if asset.kind == AssetKind.MODEL and inputs else JobType.ETL)
    if job_type == JobType.ANONYMISATION:
        attrs.setdefault("privacy_measure", PrivacyMeasure.ANONYMISED)
    snapshot = version_register(actor=actor, asset=asset, version=version, fields=fields, **attrs)
    if not inputs:
        return snapshot, None
    job = job_get_or_create(
        actor=actor,
        namespace=job_namespace or asset.namespace,
        name=job_name or f"{asset.name}.{job_type}",
        job_type=job_type,
    )
    resolved = [(v, role or default_input_role(version=v, job_type=job_type)) for v, role in inputs]
    run = run_record(
        actor=actor,
        job=job,
        inputs=resolved,
        outputs=[snapshot],
        origin=RunOrigin.REST
        if actor.channel == "api"
        else RunOrigin.ADMIN
        if actor.channel == "admin"
        else RunOrigin.COMMAND,
        started_at=snapshot.produced_at,
        ended_at=snapshot.produced_at,
    )
    return snapshot, run
