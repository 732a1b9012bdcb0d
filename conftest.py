"""Project-wide pytest set-up: personas in two districts, API clients, a browser."""

pytest_plugins = ["shangquan.core.tests.fixtures", "shangquan.core.tests.audit_guard"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from shangquan.core.tests.fixtures import chromium_path

    if chromium_path() is None:
        terminalreporter.write_sep(
            "!", "BROWSER TESTS SKIPPED: no Chromium found (apt-get install chromium)",
            red=True, bold=True)
