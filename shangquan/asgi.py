import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangquan.settings")
django_application = get_asgi_application()

from shangquan.core.bodyguard import BodyGuard  # noqa: E402  (after the settings are set up)

# Slow or oversized bodies are answered 408/413 before Django reads them.
application = BodyGuard(django_application)
