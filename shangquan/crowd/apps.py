from django.apps import AppConfig


class CrowdConfig(AppConfig):
    name = "shangquan.crowd"
    label = "crowd"
    verbose_name = "客流管控"
