import factory

from catalog.choices import AssetKind, SourceKind
from catalog.models import Asset, AssetVersion, Licence, Source
from tests.factories.core import UserFactory


def licence(spdx_id: str) -> Licence:
    return Licence.objects.get(spdx_id=spdx_id)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"source-{n}")
    kind = SourceKind.INTERNAL_SYSTEM


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    kind = AssetKind.DATASET
    namespace = "s3://bucket"
    name = factory.Sequence(lambda n: f"asset-{n}")
    owner = factory.SubFactory(UserFactory)
    declared_licence = factory.LazyFunction(lambda: licence("CC-BY-4.0"))


class ModelAssetFactory(AssetFactory):
    kind = AssetKind.MODEL
    namespace = "mlflow://registry"
    name = factory.Sequence(lambda n: f"models/model-{n}")


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetVersion

    asset = factory.SubFactory(AssetFactory)
    version = factory.Sequence(lambda n: f"v{n}")
    uri = factory.LazyAttribute(lambda o: f"{o.asset.namespace}/{o.asset.name}/{o.version}")
