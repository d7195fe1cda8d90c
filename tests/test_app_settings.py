"""The app's settings module: one default per setting, the host's value wins, typos fail."""

import ast
from pathlib import Path

import pytest

from curation.conf import DEFAULTS, app_settings

APP = Path(__file__).resolve().parent.parent / "curation"


def test_a_setting_the_host_leaves_out_takes_the_apps_default(settings):
    del settings.OSAI_CHARTS_TOP_ORIGINS
    assert app_settings.OSAI_CHARTS_TOP_ORIGINS == DEFAULTS["OSAI_CHARTS_TOP_ORIGINS"] == 8


def test_the_hosts_value_wins_and_is_read_when_needed(settings):
    settings.OSAI_CHARTS_TOP_ORIGINS = 3
    assert app_settings.OSAI_CHARTS_TOP_ORIGINS == 3


def test_a_misspelt_setting_fails_loudly():
    with pytest.raises(AttributeError, match="OSAI_CHART_TOP_ORIGINS"):
        app_settings.OSAI_CHART_TOP_ORIGINS  # noqa: B018


def test_the_app_reads_no_setting_of_its_own_with_a_default_of_its_own():
    """getattr(settings, "OSAI_...", default) would repeat a default kept in curation.conf."""
    offenders = []
    for path in APP.rglob("*.py"):
        if path.name == "conf.py" and path.parent == APP:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == "settings"
                and isinstance(node.args[1], ast.Constant)
                and str(node.args[1].value) in DEFAULTS
            ):
                offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert offenders == []


def test_the_site_takes_its_environment_defaults_from_the_app(settings):
    for name in ("OSAI_CHART_RETENTION_DAYS", "OSAI_DATASET_DOI", "OSAI_IFRAME_ALLOWED_HOSTS"):
        assert getattr(settings, name) == DEFAULTS[name]
