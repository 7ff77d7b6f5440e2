from catalog.models import AssetVersion
from core.audit import Actor
from lineage.choices import InputRole, JobType
from lineage.models import Run
from lineage.services import job_get_or_create, run_record

SYSTEM = Actor.system("tests")


def derive(
    inputs: list[AssetVersion] | list[tuple[AssetVersion, str]],
    outputs: list[AssetVersion],
    *,
    job: str = "job",
    job_type: str = JobType.ETL,
) -> Run:
    """Record a run from ``inputs`` to ``outputs`` through the real service (edges included)."""
    pairs = [item if isinstance(item, tuple) else (item, InputRole.DATA) for item in inputs]
    return run_record(
        actor=SYSTEM,
        job=job_get_or_create(actor=SYSTEM, namespace="tests", name=job, job_type=job_type),
        inputs=pairs,
        outputs=outputs,
    )
