"""An empty app that plugs in: its folder plus one INSTALLED_APPS line (see settings.py)."""
