from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "shangquan.workorders"
    label = "workorders"
    verbose_name = "四单工单"
