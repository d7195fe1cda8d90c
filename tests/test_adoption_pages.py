"""Adoption where readers meet it: model and organisation pages (with a sparkline), the index
sorted by downloads, the API and the downloads; and the demo's made-up figures."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from curation.adoption.figures import refresh_model_figures
from curation.adoption.readings import store_readings
from curation.adoption.sparkline import sparkline_svg
from curation.charts.catalogue import get_spec
from curation.models import AIModel, RepoAdoption

D = datetime.date


@pytest.fixture
def adopted(make_ai_model, make_organisation):
    lab = make_organisation("Hub Lab")
    popular = make_ai_model("Popular", organisation=lab, hf_repos=["lab/popular", "lab/popular-chat", "lab/gone"])
    niche = make_ai_model("Niche", organisation=lab, link="https://huggingface.co/lab/niche")
    make_ai_model("Unread", organisation=lab, link="https://huggingface.co/lab/unread")
    make_ai_model("Elsewhere", link="https://example.org/elsewhere")
    readings = [
        ("lab/popular", D(2025, 6, 30), "ok", 1000, 5000, 10),
        ("lab/popular", D(2025, 7, 31), "ok", 3000, 8000, 12),
        ("lab/popular-chat", D(2025, 7, 31), "ok", 500, None, 3),
        ("lab/niche", D(2025, 7, 31), "ok", 40, 90, 1),
        ("lab/gone", D(2025, 7, 31), "not_found", None, None, None),
    ]
    store_readings(
        RepoAdoption(repo_id=r, day=d, status=s, downloads=n, downloads_all_time=a, likes=lk, fetched_at=timezone.now())
        for r, d, s, n, a, lk in readings
    )
    refresh_model_figures()
    popular.refresh_from_db()
    niche.refresh_from_db()
    return popular, niche


def test_figures_are_summed_over_a_models_repositories_at_the_latest_reading(adopted):
    popular, niche = adopted
    assert (popular.hf_downloads, popular.hf_downloads_all_time, popular.hf_likes, popular.hf_read_on) == (
        3500,
        8000,
        15,
        D(2025, 7, 31),
    )
    assert (niche.hf_downloads, niche.hf_likes) == (40, 1)
    assert AIModel.objects.get(name="Unread").hf_downloads is None


def test_the_model_page_shows_adoption_a_sparkline_and_each_repository(client, adopted):
    html = client.get(f"/models/{adopted[0].slug}/").content.decode()
    section = html[html.index('id="adoption"') :]
    section = section[: section.index("</section>")]
    assert (
        'Downloads, last 30 days</dt><dd class="figure">3,500' in section
        and 'Likes</dt><dd class="figure">15' in section
    )
    assert 'aria-label="Hugging Face downloads per month: 2025-06: 1,000; 2025-07: 3,500"' in section
    assert (
        '<a href="https://huggingface.co/lab/popular-chat" rel="external noopener">lab/popular-chat</a>: 500 downloads'
        in section
    )
    assert 'lab/gone</a> <span class="muted">(not on the Hub on 31 July 2025)' in section
    unread = client.get(f"/models/{AIModel.objects.get(name='Unread').slug}/").content.decode()
    assert "No figures read from the Hub yet." in unread and "(not read yet)" in unread
    assert 'id="adoption"' not in client.get(f"/models/{AIModel.objects.get(name='Elsewhere').slug}/").content.decode()


def test_the_organisation_page_sums_its_models(client, adopted):
    html = client.get(f"/organisations/{adopted[0].organisation.slug}/").content.decode()
    section = html[html.index('id="adoption"') :]
    assert (
        'Downloads, last 30 days</dt><dd class="figure">3,540' in section
        and "Coverage</dt><dd>2 of 3 models" in section
    )
    assert "2025-07: 3,540" in section


def test_the_index_sorts_by_downloads_models_without_figures_last(client, adopted):
    html = client.get("/models/?ordering=-downloads").content.decode()
    order = re.findall(r'class="model-name" href="/models/([^/]+)/"', html)
    assert order[:2] == [adopted[0].slug, adopted[1].slug]
    # The figure has its own column, beside the openness score, never inside the model's name cell.
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert re.search(
        r'>Openness</a></th>\s*<th scope="col" aria-sort="descending" class="num"><a href="[^"]+">Downloads</a>', head
    )
    first_row = html[html.index("<tbody>") :].split("</tr>")[0]
    assert re.search(r'<td class="num"><strong>\d+%</strong></td>\s*<td class="num">3,500</td>', first_row)
    name_cell = re.search(r'<th scope="row">.*?</th>', first_row, re.S).group(0)
    assert "3,500" not in name_cell and "downloads" not in name_cell
    ascending = re.findall(
        r'class="model-name" href="/models/([^/]+)/"', client.get("/models/?ordering=downloads").content.decode()
    )
    assert ascending[:2] == [adopted[1].slug, adopted[0].slug]


def test_a_past_index_shows_no_figures_of_today(client, adopted):
    today = timezone.now().date().isoformat()
    assert '<td class="num">3,500</td>' in client.get("/models/").content.decode()
    past = client.get(f"/models/?as_of={today}").content.decode()
    assert "Popular" in past and "3,500" not in past
    rows = list(csv.DictReader(io.StringIO(client.get(f"/models-details.csv?as_of={today}").content.decode())))
    assert rows and all(r["Hugging Face downloads (30 days)"] == "" for r in rows)


def test_the_api_and_downloads_carry_the_figures(client, adopted):
    item = APIClient().get(f"/api/v1/models/{adopted[1].slug}/").json()
    assert item["adoption"] == {
        "repositories": ["lab/niche"],
        "repositories_derived": True,
        "downloads_30d": 40,
        "downloads_all_time": 90,
        "likes": 1,
        "read_on": "2025-07-31",
    }
    listed = {
        m["slug"]: m["adoption"] for m in APIClient().get("/api/v1/models/?ordering=-downloads").json()["results"]
    }
    assert listed[adopted[0].slug]["repositories"] == ["lab/popular", "lab/popular-chat", "lab/gone"]
    assert listed[adopted[0].slug]["repositories_derived"] is False
    data = json.loads(client.get("/models.json").content)
    by_name = {m["name"]: m["adoption"] for m in data["models"]}
    assert by_name["Popular"] == {
        "downloads_30d": 3500,
        "downloads_all_time": 8000,
        "likes": 15,
        "read_on": "2025-07-31",
    }
    rows = list(csv.DictReader(io.StringIO(client.get("/models-details.csv").content.decode())))
    popular = next(r for r in rows if r["Model Name"] == "Popular")
    assert (popular["Hugging Face downloads (30 days)"], popular["Hugging Face likes"]) == ("3500", "15")
    assert next(r for r in rows if r["Model Name"] == "Elsewhere")["Hugging Face downloads (30 days)"] == ""


def test_sparkline_scales_to_the_largest_value_and_names_every_point():
    svg = str(sparkline_svg([("2025-01", 0), ("2025-02", 50), ("2025-03", 100)], width=104, height=24, label="D"))
    assert 'points="2.0,22.0 52.0,12.0 102.0,2.0"' in svg
    assert 'aria-label="D: 2025-01: 0; 2025-02: 50; 2025-03: 100"' in svg
    assert sparkline_svg([]) == ""
    assert "<script" not in str(sparkline_svg([("x<script>", 1)]))


def test_the_demo_has_adoption_figures_so_the_charts_show(db, settings, capsys):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("bootstrap_demo")
    out = capsys.readouterr().out
    assert re.search(r"Demo adoption figures \(made up\): \d+ new readings", out)
    llama = AIModel.objects.get(name__startswith="Llama 3.1")
    assert llama.hf_repos == ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct"]
    assert llama.hf_downloads and llama.hf_read_on == D(2025, 8, 31)
    for key in (
        "adoption-big-tech",
        "adoption-regions",
        "adoption-concentration",
        "adoption-open-weights-vs-open-source",
    ):
        data = get_spec(key).compute()
        assert data.total >= 10 and len(data.x_values()) == 6, key
    call_command("bootstrap_demo")
    assert "Demo adoption figures (made up): 0 new readings" in capsys.readouterr().out
