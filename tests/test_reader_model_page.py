"""The model page tells readers where the model is written about, when it last changed and how
its openness moved over time."""

from __future__ import annotations

import datetime
from html import unescape
from unittest import mock

import pytest

from curation.editorial import services as editorial
from curation.models import HistoryEntry, PostKind
from curation.review import services as review
from tests.review_fixtures import new_grade

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return unescape(response.content.decode())


def test_model_page_links_the_articles_that_embed_link_or_mention_it(client, make_ai_model, make_post, role_users):
    olmo = make_ai_model("OLMo Large", upstream_filename="OLMo-Large.yaml")
    other = make_ai_model("Falcon Mini")
    editor = role_users["editor"]
    linked = make_post("Linked news", body=f"See [the model](/models/{olmo.slug}/).")
    embedded = make_post("Embedded guide", kind=PostKind.GUIDE, body='{% index models="olmo-large, falcon-mini" %}')
    mentioned = make_post("Mentioned news", body="OLMo Large is fully open.")
    compared = make_post("Compared news", body=f"[compare](/compare/?models={other.slug},{olmo.slug})")
    elsewhere = make_post("Unrelated news", body="OLMo Largest is another model; so is Falcon Mini.")
    draft = make_post("Draft news", body="OLMo Large, soon.")
    for post in (linked, embedded, mentioned, compared, elsewhere):
        editorial.publish(post, user=editor)
    titles = [p.title for p in editorial.articles_about(olmo)]
    assert sorted(titles) == ["Compared news", "Embedded guide", "Linked news", "Mentioned news"]
    body = text(client.get(f"/models/{olmo.slug}/"))
    section = body[body.index('id="articles"') : body.index("<h2>Changelog</h2>")]
    assert f'href="{embedded.get_absolute_url()}"' in section and "Unrelated news" not in section
    assert draft.title not in section
    assert sorted(p.title for p in editorial.articles_about(other)) == [
        "Compared news",
        "Embedded guide",
        "Unrelated news",
    ]


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def test_score_history_and_last_updated_come_from_the_history(
    client, make_ai_model, people, registry, django_capture_on_commit_callbacks
):
    active = [d.ref for d in registry if d.is_active]
    model = make_ai_model("Growing Model", grades={})  # all closed: 0%
    steps = [
        (datetime.date(2025, 1, 10), active[0]),
        (datetime.date(2025, 3, 5), active[1]),
        (datetime.date(2025, 6, 1), active[2]),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for day, ref in steps:
            # History is written once and never updated: the changes are made on those days.
            applied_at = HistoryEntry._meta.get_field("applied_at")
            with (
                mock.patch("django.utils.timezone.now", return_value=_noon(day)),
                mock.patch.object(applied_at, "_get_default", lambda day=day: _noon(day)),
            ):
                request = review.propose(
                    model,
                    f"assessment:{ref}",
                    new_grade("open"),
                    user=people.curator,
                    rationale="Released",
                    evidence_link="https://example.org/e",
                )
                assert review.approve(request, people.reviewer).applied_at.date() == day
    body = text(client.get(f"/models/{model.slug}/"))
    history = body[body.index('id="score-history"') : body.index("<h2>Changelog</h2>")]
    n = len(active)
    for position, (day, _ref) in enumerate(steps, start=1):
        assert f'datetime="{day.isoformat()}"' in history
        assert f"<strong>{round(100 * position / n)}%</strong>" in history
    assert '<dt>Last updated</dt><dd><time datetime="2025-06-01' in body
