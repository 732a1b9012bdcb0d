"""The project's settings plus the one line that installs the test app."""

from shangquan.settings import *  # noqa: F403
from shangquan.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "shangquan.core.tests.plugapp"]
