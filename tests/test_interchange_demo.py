"""The demo dataset and `bootstrap_demo`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from curation import vocab
from curation.models import AIModel, Organisation


@pytest.fixture
def bootstrapped(db, capsys, settings):
    settings.DEBUG = True  # a local demo site; the test runner turns DEBUG off
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    call_command("bootstrap_demo")
    return capsys.readouterr().out


def test_bootstrap_loads_demo_data_spanning_every_vocabulary(bootstrapped):
    assert "Demo data: 20 models created, 0 updated, 0 unchanged, 0 skipped" in bootstrapped
    models = AIModel.objects.select_related("organisation")
    assert {t for m in models for t in m.type_list} == set(vocab.ModelType.values)
    organisations = Organisation.objects.all()
    assert {o.sector for o in organisations} == set(vocab.Sector.values)
    assert {o.big_tech_bloc for o in organisations} == set(vocab.BigTechBloc.values)
    assert {o.region for o in organisations} >= {"europe", "north_america", "east_asia", "middle_east", "international"}
    assert all(o.classification_status == "classified" for o in organisations)
    assert all(m.total_score > 0 for m in models)


def test_bootstrap_creates_demo_accounts_that_can_log_in_and_is_idempotent(bootstrapped, client, capsys):
    from django.contrib.auth import get_user_model

    # Run on its own, it says the site still has to be started.
    assert (
        "Start the site (scripts/serve-demo.sh, or manage.py runserver) and log in at http://127.0.0.1:8000/admin/"
        in bootstrapped
    )
    assert "  curator   password osai-demo-curator" in bootstrapped
    call_command("bootstrap_demo")
    again = capsys.readouterr().out
    assert "Demo data: 0 models created, 0 updated, 20 unchanged, 0 skipped" in again
    User = get_user_model()
    assert sorted(User.objects.filter(is_staff=True).values_list("username", flat=True)) == [
        "admin",
        "curator",
        "editor",
        "reviewer",
    ]
    assert User.objects.get(username="admin").is_superuser
    assert list(User.objects.get(username="reviewer").groups.values_list("name", flat=True)) == ["Reviewer"]
    # Through the admin's login form: logins are counted per client address (django-axes).
    logged_in = client.post("/admin/login/?next=/admin/", {"username": "curator", "password": "osai-demo-curator"})
    assert logged_in.status_code == 302 and logged_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AIModel.objects.count() == 20


@override_settings(DEBUG=False)
def test_bootstrap_refuses_to_publish_demo_passwords_on_a_production_site(db):
    with pytest.raises(CommandError, match="published passwords"):
        call_command("bootstrap_demo")


def test_bootstrap_publishes_demo_posts_with_live_embeds_and_keeps_drafts_hidden(bootstrapped, client, capsys):
    assert "Demo posts: 5 created, 0 updated, 0 unchanged (4 published, 1 drafts)" in bootstrapped
    news = client.get("/news/")
    assert "Who builds the open models?" in news.content.decode()
    assert "Upcoming assessments" not in news.content.decode()
    # Test transactions never commit, so render the charts the outbox would have asked for.
    call_command("regenerate_charts", "--all", "--sync")
    page = client.get("/news/who-builds-open-models/").content.decode()
    assert "/charts/academic-share.svg" in page  # the upstream image became a live chart
    assert "/models/olmo-2/" in page  # the ::the-index block became a model list
    call_command("bootstrap_demo")
    assert "Demo posts: 0 created, 0 updated, 5 unchanged" in capsys.readouterr().out
