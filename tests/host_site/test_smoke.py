"""Smoke tests of the curation app installed in another site (tests.host_site), mounted under
/index/: public pages, admin, API and charts work there, every address they print is the host's,
and the host's own base template dresses the app's pages.

Run with `pytest -m host_site --ds=tests.host_site.settings tests/host_site` (CI and
scripts/test.sh do); with any other settings these tests are not collected.
"""

import re

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from curation.datachanges import record_data_change
from curation.models import ChartVersion

pytestmark = [pytest.mark.host_site, pytest.mark.django_db]

LINK = re.compile(r"""(?:href|src|action)="(/[^"#?]*)""")


@pytest.fixture(autouse=True)
def _only_in_the_host_site():
    assert settings.ROOT_URLCONF == "tests.host_site.urls", "run with --ds=tests.host_site.settings"


def local_links(html: str) -> list[str]:
    """The site-local addresses a page links to (static files are the host's to serve)."""
    return [path for path in LINK.findall(html) if not path.startswith((settings.STATIC_URL, settings.MEDIA_URL))]


def assert_every_link_resolves(html: str) -> None:
    broken = []
    for path in local_links(html):
        try:
            resolve(path)
        except Resolver404:
            broken.append(path)
    assert broken == []


@pytest.fixture
def index(make_ai_model, make_organisation):
    organisation = make_organisation("Open Lab")
    return make_ai_model("Olmo Host", organisation=organisation, grades={"weights_endmodel": "open"})


def test_the_app_lives_under_the_prefix_and_the_host_keeps_its_root(client):
    assert reverse("curation:home") == "/index/"
    assert reverse("curation:model_detail", args=["x"]) == "/index/models/x/"
    assert reverse("curation:api:aimodel-list") == "/index/api/v1/models/"
    assert client.get("/").content == b"The host site's own home page"


@pytest.mark.parametrize(
    "name, args",
    [
        ("curation:home", []),
        ("curation:model_index", []),
        ("curation:model_detail", ["olmo-host"]),
        ("curation:organisation_index", []),
        ("curation:compare", []),
        ("curation:chart_index", []),
        ("curation:news-list", []),
    ],
)
def test_public_pages_wear_the_hosts_base_template_and_link_within_the_host(client, index, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<body class="host-site">' in html
    assert local_links(html), "the page links somewhere"
    assert_every_link_resolves(html)


def test_downloads_and_old_addresses_stay_under_the_prefix(client, index):
    csv = client.get(reverse("curation:models_csv")).content.decode()
    assert "http://testserver/index/models/olmo-host/" in csv
    moved = client.get("/index/model/Olmo Host")
    assert moved.status_code == 301 and moved["Location"].startswith("/index/")


def test_the_api_links_to_itself_and_to_pages_under_the_prefix(client, index):
    body = client.get(reverse("curation:api:aimodel-list")).json()
    model = next(row for row in body["results"] if row["slug"] == "olmo-host")
    assert model["url"] == "http://testserver/index/api/v1/models/olmo-host/"
    assert model["page_url"] == "http://testserver/index/models/olmo-host/"
    missing = client.get("/index/api/v1/no-such-thing/")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")


def test_the_admin_manages_the_apps_models(client, index, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", "a long enough password")
    client.force_login(django_user_model.objects.get(username="root"))
    listing = client.get(reverse("admin:curation_aimodel_changelist"))
    assert listing.status_code == 200 and "Olmo Host" in listing.content.decode()
    change = client.get(reverse("admin:curation_aimodel_change", args=[index.pk]))
    assert change.status_code == 200


def test_a_data_change_regenerates_the_charts_through_the_hosts_celery_app(
    client, index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record_data_change("a model was added")
    assert ChartVersion.objects.filter(key="academic-share").exists()
    page = client.get(reverse("curation:chart_index")).content.decode()
    chart_files = [path for path in local_links(page) if path.endswith(".svg")]
    assert chart_files and all(path.startswith("/index/charts/") for path in chart_files)
    picture = client.get(chart_files[0])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/svg+xml"
