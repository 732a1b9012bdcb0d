from django.apps import AppConfig


class ScalesConfig(AppConfig):
    name = "shangquan.scales"
    label = "scales"
    verbose_name = "公平秤"
