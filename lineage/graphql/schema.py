import graphene

from lineage import selectors
from lineage.graphql.types import LineageType, RunType

__all__ = ("LineageQuery",)


class LineageDirection(graphene.Enum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"


class LineageQuery(graphene.ObjectType):
    lineage = graphene.Field(
        LineageType,
        version_id=graphene.ID(required=True),
        direction=LineageDirection(default_value="upstream"),
        depth=graphene.Int(description="Hops to follow; default and cap from CUSTODIAN_MAX_LINEAGE_DEPTH."),
        description="Upstream or downstream lineage of a version, through the same selector as REST.",
    )
    runs = graphene.List(
        graphene.NonNull(RunType),
        required=True,
        limit=graphene.Int(default_value=100),
        offset=graphene.Int(default_value=0),
    )
    run = graphene.Field(RunType, run_id=graphene.UUID(required=True))

    @staticmethod
    def resolve_lineage(root, info, version_id, direction="upstream", depth=None):
        from catalog.selectors import version_list

        version = version_list(user=info.context.user).filter(pk=version_id).first()
        if version is None:
            return None
        direction = getattr(direction, "value", direction)
        return selectors.lineage_graph(version=version.pk, direction=direction, depth=depth)

    @staticmethod
    def resolve_runs(root, info, limit=100, offset=0):
        limit = max(0, min(limit, 500))
        return selectors.run_list(user=info.context.user)[offset : offset + limit]

    @staticmethod
    def resolve_run(root, info, run_id):
        return selectors.run_list(user=info.context.user).filter(run_id=run_id).first()
