from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "shangquan.merchants"
    label = "merchants"
    verbose_name = "商户与网格"
