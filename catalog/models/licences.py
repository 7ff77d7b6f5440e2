from django.db import models

from catalog.choices import CopyleftScope, PropagatesToModel, UseClass
from core.models import TimeStampedModel

__all__ = ("Licence",)


class Licence(TimeStampedModel):
    """
    A licence under which data or a model may be used, with its machine-readable terms.

    Identified by an SPDX id or a ``LicenseRef-…``; ``NOASSERTION`` stands for "unknown". The terms feed the
    licence lattice computed over every version's upstream closure.
    """

    spdx_id = models.CharField(max_length=100, unique=True, help_text="SPDX identifier or LicenseRef-…")
    name = models.CharField(max_length=255)
    url = models.URLField(blank=True)
    use_class = models.CharField(max_length=20, choices=UseClass.choices, default=UseClass.UNSPECIFIED)
    attribution_required = models.BooleanField(default=True)
    share_alike = models.BooleanField(default=False)
    copyleft_scope = models.CharField(max_length=20, choices=CopyleftScope.choices, default=CopyleftScope.NONE)
    derivatives_allowed = models.BooleanField(default=True)
    private_adaptation_allowed = models.BooleanField(default=True)
    use_restrictions = models.TextField(
        blank=True, help_text="Use restrictions that flow down to derivatives (OpenRAIL Attachment A, Llama AUP)."
    )
    conditions = models.JSONField(
        default=dict, blank=True, help_text='Conditions as data, e.g. {"mau_threshold": 700000000}.'
    )
    propagates_to_model = models.CharField(
        max_length=10, choices=PropagatesToModel.choices, default=PropagatesToModel.YES
    )
    is_unknown = models.BooleanField(default=False, help_text="Stands for an unknown or unasserted licence.")

    class Meta:
        ordering = ("spdx_id",)

    def __str__(self) -> str:
        return self.spdx_id

    @property
    def commercial_use(self) -> bool:
        return self.use_class == UseClass.COMMERCIAL
