"""
Catalog models.

``Asset`` (a dataset or a model, identified by OpenLineage's ``(namespace, name)``), its immutable
``AssetVersion`` snapshots with their ``Field`` rows, where data came from (``Source``), under which terms
(``Licence``), for what (``Purpose``), and where model versions serve (``Deployment``).
"""

from catalog.models.assets import Asset, DatasetAsset, ModelAsset, Purpose
from catalog.models.deployments import Deployment
from catalog.models.licences import Licence
from catalog.models.sources import Source
from catalog.models.versions import AssetVersion, Field

__all__ = (
    "Asset",
    "AssetVersion",
    "DatasetAsset",
    "Deployment",
    "Field",
    "Licence",
    "ModelAsset",
    "Purpose",
    "Source",
)
