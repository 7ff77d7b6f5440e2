"""The root GraphQL schema: each app contributes a Query mixin. Read-only: there is no Mutation type."""

import graphene

from catalog.graphql.schema import CatalogQuery
from compliance.graphql.governance import GovernanceQuery
from compliance.graphql.requests import SubjectRequestQuery
from core.graphql.view import CustodianGraphQLView
from lineage.graphql.schema import LineageQuery


class Query(CatalogQuery, LineageQuery, SubjectRequestQuery, GovernanceQuery, graphene.ObjectType):
    """Custodian, read-only: assets, versions, lineage, runs; subject requests; governance flags and ROPA."""


schema = graphene.Schema(query=Query)
graphql_view = CustodianGraphQLView.as_view(schema=schema)
