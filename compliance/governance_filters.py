"""FilterSets for governance flags, shared by REST and GraphQL."""

import django_filters

from catalog.choices import AssetKind, VersionState
from compliance.models import FlagKind, GovernanceFlag

__all__ = ("FlagFilterSet",)


class FlagFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FlagKind.choices)
    asset_kind = django_filters.ChoiceFilter(
        field_name="version__asset__kind", choices=AssetKind.choices, label="Kind of the flagged asset"
    )
    version = django_filters.NumberFilter(field_name="version_id")
    asset = django_filters.NumberFilter(field_name="version__asset_id", label="Asset of the flagged version")
    origin_asset = django_filters.NumberFilter(field_name="origin_asset_id")
    origin_version = django_filters.NumberFilter(field_name="origin_version_id")
    withdrawal = django_filters.NumberFilter(field_name="withdrawal_id")
    via_anonymisation = django_filters.BooleanFilter()
    state = django_filters.ChoiceFilter(
        field_name="version__state", choices=VersionState.choices, label="State of the flagged version"
    )

    class Meta:
        model = GovernanceFlag
        fields = ()
