from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "shangquan.org"
    label = "org"
    verbose_name = "党组织"
