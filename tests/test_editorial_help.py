"""The post editor's help: every example it shows renders without a problem on the demo data."""

from __future__ import annotations

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from curation.editorial.embeds import EMBED_EXAMPLES
from curation.editorial.rendering import render_markdown


@pytest.fixture
def demo_site(db, settings, capsys):
    settings.DEBUG = True  # bootstrap_demo is for local demo sites
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("bootstrap_demo")
    call_command("regenerate_charts", "--all", "--sync")
    capsys.readouterr()


def test_every_help_example_renders_without_problems_on_the_demo_data(demo_site):
    assert len(EMBED_EXAMPLES) >= 4
    for example in EMBED_EXAMPLES:
        rendered = render_markdown(example, preview=True)
        assert rendered.problems == [], (example, rendered.problems)
        assert "embed-error" not in rendered.html
    # They show real content, not empty boxes.
    grid = str(render_markdown(EMBED_EXAMPLES[1]).html)
    assert "/models/deepseek-v3/" in grid and "/models/olmo-2/" in grid
    latest = str(render_markdown(EMBED_EXAMPLES[2]).html)
    assert latest.count("<tr>") >= 2


def test_the_editor_shows_exactly_the_tested_examples(demo_site, client):
    from django.contrib.auth import get_user_model

    from curation.models import Post

    client.force_login(get_user_model().objects.get(username="editor"))  # the demo's editor account
    page = client.get(reverse("admin:curation_post_change", args=[Post.objects.first().pk])).content.decode()
    for example in EMBED_EXAMPLES:
        assert f"<code>{html.escape(example)}</code>" in page, example


def test_the_demo_guide_lists_the_models_its_upstream_filters_select(demo_site, client):
    from curation.models import AIModel

    page = client.get("/guides/reading-the-index/").content.decode()
    latest_text = AIModel.objects.public().filter(performance_class="latest", types__contains="text")
    assert latest_text.exists()
    for model in latest_text:
        assert f"/models/{model.slug}/" in page
    others = AIModel.objects.public().exclude(pk__in=latest_text)
    article = page[page.index("<article") : page.index("</article>")]
    for model in others:
        assert f'href="/models/{model.slug}/"' not in article
