from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shangquan.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from .extensions import app_modules

        # Every app's policies register their actions on import.
        app_modules("policies")
