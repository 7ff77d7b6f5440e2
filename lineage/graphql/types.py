import graphene
from graphene_django import DjangoObjectType

from lineage.models import Job, Run

__all__ = ("JobType_", "LineageEdgeType", "LineageNodeType", "LineageType", "RunType")


class LineageNodeType(graphene.ObjectType):
    """A version reached by a lineage traversal."""

    id = graphene.ID(required=True, description="Version id.")
    asset = graphene.String(required=True, description="namespace/name")
    asset_id = graphene.ID(required=True)
    namespace = graphene.String(required=True)
    name = graphene.String(required=True)
    kind = graphene.String(required=True, description="dataset or model")
    version = graphene.String(required=True)
    state = graphene.String(required=True)
    depth = graphene.Int(required=True, description="Hops from the root.")


class LineageEdgeType(graphene.ObjectType):
    """Input version → output version through a run, with the input's role."""

    source = graphene.ID(required=True)
    target = graphene.ID(required=True)
    run = graphene.ID(required=True)
    role = graphene.String(required=True)


class LineageType(graphene.ObjectType):
    """A lineage answer with its completeness flags."""

    root = graphene.ID(required=True)
    direction = graphene.String(required=True)
    nodes = graphene.List(graphene.NonNull(LineageNodeType), required=True)
    edges = graphene.List(graphene.NonNull(LineageEdgeType), required=True)
    depth_reached = graphene.Int(required=True)
    is_partial = graphene.Boolean(required=True, description="True when nodes exist beyond the depth limit.")


class JobType_(DjangoObjectType):  # noqa: N801 - "JobType" is the job-type enumeration's name
    class Meta:
        model = Job
        name = "Job"
        fields = ("id", "namespace", "name", "job_type", "description", "created_at")
        convert_choices_to_enum = False


class RunInputType(graphene.ObjectType):
    version_id = graphene.ID(required=True)
    asset = graphene.String(required=True)
    version = graphene.String(required=True)
    role = graphene.String(required=True)


class RunType(DjangoObjectType):
    """One execution of a job."""

    inputs = graphene.List(graphene.NonNull(RunInputType), required=True)
    outputs = graphene.List(graphene.NonNull(RunInputType), required=True)

    class Meta:
        model = Run
        fields = ("id", "run_id", "job", "state", "started_at", "ended_at", "origin", "parent", "created_at")
        convert_choices_to_enum = False

    @staticmethod
    def resolve_inputs(root: Run, info):
        return [
            RunInputType(
                version_id=i.version_id, asset=i.version.asset.qualified_name, version=i.version.version, role=i.role
            )
            for i in root.inputs.all()
        ]

    @staticmethod
    def resolve_outputs(root: Run, info):
        return [
            RunInputType(
                version_id=o.version_id, asset=o.version.asset.qualified_name, version=o.version.version, role="output"
            )
            for o in root.outputs.all()
        ]
