from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from catalog.signals import version_registered
        from compliance.receivers import flag_new_lineage, flag_new_version, scan_new_version
        from lineage.signals import edges_recorded

        # A version whose source Custodian can read is scanned without anyone asking (docs/signals.md).
        version_registered.connect(scan_new_version, dispatch_uid="compliance.scan_new_version")
        # Governance flags follow new versions and new lineage (compliance.propagation, docs/signals.md).
        version_registered.connect(flag_new_version, dispatch_uid="compliance.flag_new_version")
        edges_recorded.connect(flag_new_lineage, dispatch_uid="compliance.flag_new_lineage")
