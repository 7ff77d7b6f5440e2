import graphene

from catalog import selectors
from catalog.graphql.types import AssetType, LicenceType, VersionType

__all__ = ("CatalogQuery",)

MAX_PAGE = 500


def _page(qs, limit, offset):
    limit = max(0, min(limit or 100, MAX_PAGE))
    return qs[max(offset or 0, 0) : max(offset or 0, 0) + limit]


class CatalogQuery(graphene.ObjectType):
    assets = graphene.List(
        graphene.NonNull(AssetType),
        required=True,
        kind=graphene.String(description="dataset or model"),
        namespace=graphene.String(),
        status=graphene.String(),
        licence=graphene.String(),
        consent_status=graphene.String(),
        contains_personal_data=graphene.String(),
        search=graphene.String(),
        limit=graphene.Int(default_value=100, description=f"At most {MAX_PAGE}."),
        offset=graphene.Int(default_value=0),
        description="Datasets and models, filtered.",
    )
    asset = graphene.Field(AssetType, id=graphene.ID(), namespace=graphene.String(), name=graphene.String())
    versions = graphene.List(
        graphene.NonNull(VersionType),
        required=True,
        asset_id=graphene.ID(),
        state=graphene.String(),
        limit=graphene.Int(default_value=100),
        offset=graphene.Int(default_value=0),
    )
    version = graphene.Field(VersionType, id=graphene.ID(required=True))
    licences = graphene.List(graphene.NonNull(LicenceType), required=True)

    @staticmethod
    def resolve_assets(root, info, limit=100, offset=0, search=None, **filters):
        if search:
            filters["q"] = search
        kind = filters.pop("kind", None)
        qs = selectors.asset_list(user=info.context.user, kind=kind, filters={k: v for k, v in filters.items() if v})
        qs = qs.prefetch_related("versions__fields").order_by("namespace", "name")
        return _page(qs, limit, offset)

    @staticmethod
    def resolve_asset(root, info, id=None, namespace=None, name=None):
        qs = selectors.asset_list(user=info.context.user).prefetch_related("versions__fields")
        if id is not None:
            return qs.filter(pk=id).first()
        return qs.filter(namespace=namespace, name=name).first()

    @staticmethod
    def resolve_versions(root, info, asset_id=None, state=None, limit=100, offset=0):
        filters = {k: v for k, v in {"asset": asset_id, "state": state}.items() if v}
        qs = selectors.version_list(user=info.context.user, filters=filters).order_by("-produced_at", "-id")
        return _page(qs, limit, offset)

    @staticmethod
    def resolve_version(root, info, id):
        return selectors.version_list(user=info.context.user).filter(pk=id).first()

    @staticmethod
    def resolve_licences(root, info):
        return selectors.licence_list(user=info.context.user)
