from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core.roles import sync_role_permissions

        # The only signal receiver: role groups get the permissions of models that migrations just created.
        post_migrate.connect(sync_role_permissions, dispatch_uid="core.sync_role_permissions")
