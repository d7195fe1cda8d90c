"""Models withdrawn from the index (their upstream file deleted) keep their old links working:
their page and comparisons answer with their last grades under a notice, while the index, its
counts, charts, downloads and sitemap leave them out and search engines are asked not to index
them."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest

from curation.charts.catalogue import get_spec
from curation.interchange import import_index
from curation.models import AIModel
from curation.public import queries
from curation.public.headline import headline_numbers

pytestmark = pytest.mark.django_db

DEMO_DATA = Path(__file__).resolve().parent.parent / "curation" / "demo_data"
WITHDRAWN_ON = datetime.datetime(2025, 3, 4, 12, tzinfo=datetime.UTC)


@pytest.fixture
def withdrawn(registry, tmp_path):
    """The demo data imported, then imported again without olmo-2.yaml (deleted upstream)."""
    folder = tmp_path / "main-database"
    shutil.copytree(DEMO_DATA, folder)
    import_index(folder)
    grades = {
        a.dimension.ref: a.grade
        for a in AIModel.objects.get(upstream_filename="olmo-2.yaml").assessments.select_related("dimension")
    }
    (folder / "olmo-2.yaml").unlink()
    report = import_index(folder, applied_at=WITHDRAWN_ON)
    assert report.removed == ["olmo-2.yaml"]
    model = AIModel.objects.get(upstream_filename="olmo-2.yaml")
    assert model.is_withdrawn and not model.is_public
    return model, grades


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_a_withdrawn_models_page_shows_the_notice_and_its_last_grades(client, withdrawn):
    model, grades = withdrawn
    response = client.get(f"/models/{model.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "OLMo 2 was withdrawn from the index on 4 March 2025." in _text(html)
    assert '<time datetime="2025-03-04">' in html
    # Its last grades, dimension by dimension, as they stood when it was withdrawn.
    shown = dict(
        re.findall(r'<article class="dimension" id="([a-z_]+)">\s*<div><span class="badge grade-([a-z-]+)"', html)
    )
    assert shown == grades and {"open", "closed"} <= set(shown.values())
    assert f"<strong>{round(100 * model.total_score)}%</strong>" in html


def test_a_public_models_page_has_no_notice_and_may_be_indexed(client, withdrawn):
    html = client.get("/models/mistral-7b/").content.decode()
    assert "withdrawn" not in html and 'name="robots"' not in html


def test_a_comparison_with_a_withdrawn_model_shows_the_notice_and_its_column(client, withdrawn):
    model, _grades = withdrawn
    response = client.get(f"/compare/?models={model.slug},mistral-7b")
    assert response.status_code == 200
    html = response.content.decode()
    assert "OLMo 2 was withdrawn from the index on 4 March 2025." in _text(html)
    assert '<meta name="robots" content="noindex">' in html
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert f'href="/models/{model.slug}/">OLMo 2</a>' in head and "withdrawn 4 March 2025" in head
    # By name, as the compare form gives it: one clean address with the slug.
    assert client.get("/compare/", {"models": "OLMo 2,Mistral-7B"}).url == f"/compare/?models={model.slug},mistral-7b"


def test_old_upstream_addresses_of_a_withdrawn_model_still_lead_to_it(client, withdrawn):
    model, _grades = withdrawn
    response = client.get("/model/olmo-2")
    assert (response.status_code, response["Location"]) == (301, f"/models/{model.slug}/")
    response = client.get("/compare", {"models": "OLMo-2,mistral-7b"})
    assert (response.status_code, response["Location"]) == (301, f"/compare/?models={model.slug},mistral-7b")


def test_a_withdrawn_model_is_left_out_of_the_index_counts_charts_downloads_and_sitemap(client, withdrawn):
    model, _grades = withdrawn
    assert AIModel.objects.public().count() == 19
    index = client.get("/models/", {"per_page": 100}).content.decode()
    assert f"/models/{model.slug}/" not in index
    assert "OLMo 2" not in client.get("/models.csv").content.decode()
    assert f"/models/{model.slug}/" not in client.get("/sitemap.xml").content.decode()
    assert "OLMo 2" not in [name for name, _org in queries.compare_choices()]
    assert headline_numbers(queries.registry_columns()).model_count == 19
    academic = get_spec("academic-share").compute()
    assert academic.total == 19


def test_a_draft_stays_hidden(client, withdrawn, make_ai_model):
    draft = make_ai_model("Unpublished", upstream_filename="unpublished.yaml", is_public=False)
    assert client.get(f"/models/{draft.slug}/").status_code == 404
    assert client.get(f"/compare/?models={draft.slug},mistral-7b").status_code == 400
    assert client.get("/model/unpublished").status_code == 404
