from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from catalog.signals import version_registered
        from compliance.receivers import scan_new_version

        # A version whose source Custodian can read is scanned without anyone asking (docs/signals.md).
        version_registered.connect(scan_new_version, dispatch_uid="compliance.scan_new_version")
