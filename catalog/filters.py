"""FilterSets shared by REST and GraphQL."""

import django_filters
from django.db.models import Q

from catalog.choices import AssetStatus, ConsentStatus, PersonalData, VersionState
from catalog.models import Asset, AssetVersion

__all__ = ("AssetFilterSet", "VersionFilterSet")


class AssetFilterSet(django_filters.FilterSet):
    namespace = django_filters.CharFilter()
    licence = django_filters.CharFilter(method="filter_licence", label="Licence SPDX id (declared or concluded)")
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices)
    consent_status = django_filters.ChoiceFilter(choices=ConsentStatus.choices)
    contains_personal_data = django_filters.ChoiceFilter(choices=PersonalData.choices)
    owner = django_filters.CharFilter(field_name="owner__username")
    source = django_filters.NumberFilter(field_name="source_id")
    purpose = django_filters.CharFilter(field_name="purposes__name")
    q = django_filters.CharFilter(method="filter_q", label="Search namespace, name and description")

    class Meta:
        model = Asset
        fields = (
            "namespace",
            "status",
            "consent_status",
            "contains_personal_data",
            "special_category",
            "commercial_use",
        )

    def filter_licence(self, queryset, name, value):
        return queryset.filter(
            Q(concluded_licence__spdx_id__iexact=value)
            | Q(concluded_licence__isnull=True, declared_licence__spdx_id__iexact=value)
        )

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(namespace__icontains=value) | Q(description__icontains=value)
        )


class VersionFilterSet(django_filters.FilterSet):
    asset = django_filters.NumberFilter(field_name="asset_id")
    kind = django_filters.CharFilter(field_name="asset__kind")
    namespace = django_filters.CharFilter(field_name="asset__namespace")
    name = django_filters.CharFilter(field_name="asset__name")
    state = django_filters.ChoiceFilter(choices=VersionState.choices)
    version = django_filters.CharFilter()

    class Meta:
        model = AssetVersion
        fields = ("asset", "state", "version", "privacy_measure")
