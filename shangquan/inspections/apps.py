from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "shangquan.inspections"
    label = "inspections"
    verbose_name = "检查与整改"
