"""Data releases: made in the admin by curators with the permission, immutable but for their
notes, their downloads frozen once; every page and download pinned with `?release=<slug>` (the
index as it stood at that moment, as `?as_of=`); release pages with permanent addresses and a
"Cite this" that bibtexparser, rispy and citeproc-py read back."""

from __future__ import annotations

import hashlib
import json
import re

import bibtexparser
import pytest
import rispy
import yaml
from celery import current_app
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from django.contrib.auth.models import Group

from curation.api.views import AIModelViewSet
from curation.datachanges import record_data_change
from curation.models import AIModel, DataRelease, DataReleaseFile, ReleaseIsImmutable
from curation.public.parameters import download_parameters, index_parameters
from curation.releases import ReleaseError, create_release, edit_release_notes
from curation.review.services import edit_directly
from curation.roles import CURATOR, EDITOR, ensure_roles

DOI = "10.5281/zenodo.15386042"
ADD_URL = "/admin/curation/datarelease/add/"


@pytest.fixture(autouse=True)
def _freeze_in_this_process(monkeypatch):
    """These tests read what a release froze right after making it: run the freezing task here
    (Celery's eager mode, the embedded default) also when the suite runs with a real worker,
    which could not see this test's uncommitted transaction."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)


@pytest.fixture
def curator(django_user_model, db):
    ensure_roles()
    user = django_user_model.objects.create_user("cura", "cura@example.org", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR))
    return user


@pytest.fixture
def editor(django_user_model, db):
    ensure_roles()
    user = django_user_model.objects.create_user("edit", "edit@example.org", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR))
    return user


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "x")


@pytest.fixture
def index(make_ai_model, settings):
    settings.OSAI_DATASET_DOI = DOI
    graded = make_ai_model("Graded Model", grades={"licenses": "closed"})
    other = make_ai_model("Other Model", grades={"licenses": "open"})
    record_data_change("test data")
    return {"graded": graded, "other": other}


def _make_in_admin(client, user, django_capture_on_commit_callbacks, **fields):
    client.force_login(user)
    data = {"name": "2026-06", "slug": "", "notes": "First release."} | fields
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD_URL, data)
    client.logout()
    return response


def test_a_curator_makes_a_release_in_the_admin_and_its_files_are_frozen(
    client, curator, index, django_capture_on_commit_callbacks
):
    live_csv = client.get("/models.csv").content
    live_json = client.get("/models.json").content

    response = _make_in_admin(client, curator, django_capture_on_commit_callbacks)

    assert response.status_code == 302, response.content.decode()[:2000]
    release = DataRelease.objects.get()
    assert (release.name, release.slug, release.created_by, release.notes) == (
        "2026-06",
        "2026-06",
        curator,
        "First release.",
    )
    assert release.files_frozen_at is not None
    files = {f.filename: f for f in release.files.all()}
    assert set(files) == {
        "models.csv",
        "models-details.csv",
        "models.json",
        "grades.csv",
        "organisations.csv",
        "vocabularies.csv",
        "osai-index-export.zip",
    }
    # The frozen files are the downloads readers had at that moment, byte for byte.
    assert bytes(files["models.csv"].content) == live_csv
    assert bytes(files["models.json"].content) == live_json
    for frozen in files.values():
        assert frozen.sha256 == hashlib.sha256(bytes(frozen.content)).hexdigest()
        assert frozen.size == len(bytes(frozen.content))


def test_making_a_release_needs_the_permission(client, editor, index, django_capture_on_commit_callbacks):
    client.force_login(editor)
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, {"name": "2026-06"}).status_code == 403
    with pytest.raises(ReleaseError, match="permission"):
        create_release(name="2026-06", user=editor)
    assert not DataRelease.objects.exists()


def test_a_taken_name_is_refused_with_a_clear_message(client, curator, index, django_capture_on_commit_callbacks):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    response = _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert DataRelease.objects.count() == 1
    with pytest.raises(ReleaseError, match="already a release"):
        create_release(name="2026-06", user=curator)


def test_a_release_is_immutable_except_its_notes(client, curator, index, django_capture_on_commit_callbacks):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    release = DataRelease.objects.get()
    client.force_login(curator)
    change = f"/admin/curation/datarelease/{release.pk}/change/"
    response = client.post(change, {"name": "renamed", "slug": "renamed", "notes": "Corrected notes."})
    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.name, release.slug, release.notes) == ("2026-06", "2026-06", "Corrected notes.")
    # Nor can it be deleted, in the admin or in code; nor its files changed.
    assert client.get(f"/admin/curation/datarelease/{release.pk}/delete/").status_code == 403
    with pytest.raises(ReleaseIsImmutable):
        release.delete()
    release.name = "renamed"
    with pytest.raises(ReleaseIsImmutable):
        release.save()
    frozen = DataReleaseFile.objects.filter(release=release).first()
    frozen.content = b"tampered"
    with pytest.raises(ReleaseIsImmutable):
        frozen.save()
    assert edit_release_notes(DataRelease.objects.get(), "Again.", curator).notes == "Again."


def _model_names(html: str) -> list[str]:
    return re.findall(
        r'<th scope="row">(?:<a class="model-name" href="[^"]+">|<span class="model-name">)([^<]+)<', html
    )


def test_pages_and_downloads_pinned_to_a_release_show_the_index_as_it_stood(
    client, curator, boss, index, make_ai_model, django_capture_on_commit_callbacks
):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    frozen_csv = client.get("/releases/2026-06/models.csv").content
    # After the release: a new model and a grade changed through review.
    make_ai_model("Later Model", grades={"licenses": "open"})
    edit_directly(
        index["graded"],
        "assessment:licenses",
        {"grade": "open", "links": [], "notes": ""},
        user=boss,
        rationale="Relicensed",
        evidence_link="https://example.org/l",
    )
    record_data_change("later")

    today = client.get("/models/").content.decode()
    pinned = client.get("/models/?release=2026-06")
    assert pinned.status_code == 200
    page = pinned.content.decode()
    assert "Later Model" in _model_names(today) and "Later Model" not in _model_names(page)
    assert "The index at release 2026-06" in page
    assert "http://testserver/models/?release=2026-06" in page  # its permanent address is shown
    # Filters keep the pin; the grade is the one of the release's moment.
    filtered = client.get("/models/?grade_licenses=closed&release=2026-06").content.decode()
    assert _model_names(filtered) == ["Graded Model"]
    assert 'name="release" value="2026-06"' in filtered

    # The whole download pinned to the release is the frozen file; a filtered one is rebuilt.
    assert client.get("/models.csv?release=2026-06").content == frozen_csv
    assert client.get("/models.csv").content != frozen_csv
    narrowed = client.get("/models.csv?release=2026-06&grade_licenses=closed").content.decode()
    assert [line.split(",")[0] for line in narrowed.splitlines()[1:]] == ["Graded Model"]
    as_json = json.loads(client.get("/models.json?release=2026-06&grade_licenses=closed").content)
    assert [m["name"] for m in as_json["models"]] == ["Graded Model"]


def test_a_pin_naming_no_release_is_refused(client, index):
    assert client.get("/models/?release=nope").status_code == 404
    download = client.get("/models.csv?release=nope")
    assert download.status_code == 404 and "No data release is called “nope”" in download.content.decode()
    assert client.get("/models.json?release=nope").status_code == 404
    assert client.get("/export.zip?release=nope").status_code == 404
    assert client.get("/releases/nope/").status_code == 404
    assert client.get("/releases/nope/models.csv").status_code == 404


def test_release_and_as_of_together_are_refused(client, curator, index, django_capture_on_commit_callbacks):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    response = client.get("/models.csv?release=2026-06&as_of=2026-01-01")
    assert response.status_code == 400 and "either release or as_of" in response.content.decode()


def test_the_page_cache_keys_the_release(client, curator, index, make_ai_model, django_capture_on_commit_callbacks):
    assert "release" in download_parameters(None) and "release" in index_parameters(None)
    _make_in_admin(client, curator, django_capture_on_commit_callbacks, name="first")
    make_ai_model("Between Model")
    record_data_change("between")
    _make_in_admin(client, curator, django_capture_on_commit_callbacks, name="second")
    first = client.get("/models/?release=first").content.decode()
    second = client.get("/models/?release=second").content.decode()
    assert "Between Model" not in _model_names(first)
    assert "Between Model" in _model_names(second)


def _api_licences(response) -> dict[str, str]:
    """{model name: its licences grade} of an API list answer."""
    return {
        model["name"]: next(a["grade"] for a in model["assessments"] if a["dimension"] == "licenses")
        for model in response.json()["results"]
    }


def test_the_api_lists_the_index_pinned_to_a_release(
    client, curator, boss, index, make_ai_model, django_capture_on_commit_callbacks
):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    # Read (and keep in the answer cache) today's list before the changes, and the release's after.
    assert _api_licences(client.get("/api/v1/models/")) == {"Graded Model": "closed", "Other Model": "open"}
    make_ai_model("Later Model", grades={"licenses": "open"})
    edit_directly(
        index["graded"],
        "assessment:licenses",
        {"grade": "open", "links": [], "notes": ""},
        user=boss,
        rationale="Relicensed",
        evidence_link="https://example.org/l",
    )
    record_data_change("later")

    today = client.get("/api/v1/models/")
    assert _api_licences(today) == {"Graded Model": "open", "Other Model": "open", "Later Model": "open"}
    pinned = client.get("/api/v1/models/?release=2026-06")
    assert pinned.status_code == 200
    # The release's moment: no Later Model, the licence grade before the review.
    assert _api_licences(pinned) == {"Graded Model": "closed", "Other Model": "open"}
    # The same models, in the same order, as the index page pinned to that release.
    assert [m["name"] for m in pinned.json()["results"]] == _model_names(
        client.get("/models/?release=2026-06").content.decode()
    )
    # Filters apply to the release's values, as on the page.
    closed = client.get("/api/v1/models/?release=2026-06&grade_licenses=closed")
    assert list(_api_licences(closed)) == ["Graded Model"]
    assert "release" in AIModelViewSet().known_query_parameters()
    # One model pinned to the release: its grade then; a model added since is not found.
    graded = client.get(f"/api/v1/models/{index['graded'].slug}/?release=2026-06").json()
    assert next(a["grade"] for a in graded["assessments"] if a["dimension"] == "licenses") == "closed"
    later = client.get(f"/api/v1/models/{AIModel.objects.get(name='Later Model').slug}/?release=2026-06")
    assert later.status_code == 404 and "was not in the published index at 2026-06" in later.json()["message"]


def test_the_api_answer_cache_keys_the_release(
    client, curator, index, make_ai_model, django_capture_on_commit_callbacks
):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks, name="first")
    make_ai_model("Between Model")
    record_data_change("between")
    _make_in_admin(client, curator, django_capture_on_commit_callbacks, name="second")
    first = client.get("/api/v1/models/?release=first")
    second = client.get("/api/v1/models/?release=second")
    assert "Between Model" not in _api_licences(first) and "Between Model" in _api_licences(second)
    assert first["ETag"] != second["ETag"]
    # Asked again, each answer is its own release's (from the cache or not).
    assert client.get("/api/v1/models/?release=first").content == first.content


def test_the_api_refuses_an_unknown_release_or_release_with_as_of(
    client, curator, index, django_capture_on_commit_callbacks
):
    unknown = client.get("/api/v1/models/?release=nope")
    assert unknown.status_code == 404
    body = unknown.json()
    assert set(body) == {"message", "field", "errors"} and "No data release is called “nope”" in body["message"]
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    both = client.get("/api/v1/models/?release=2026-06&as_of=2026-01-01")
    assert both.status_code == 400
    assert both.json()["field"] == "release" and "either release or as_of" in both.json()["message"]


def test_the_api_schema_documents_release(client, db):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    parameters = schema["paths"]["/api/v1/models/"]["get"]["parameters"]
    release = next(p for p in parameters if p["name"] == "release")
    assert release["schema"] == {"type": "string"} and "data release" in release["description"]


def test_release_pages_list_files_addresses_and_notes(client, curator, index, django_capture_on_commit_callbacks):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks, notes="What changed: & <b>more</b>.")
    listing = client.get("/releases/").content.decode()
    assert 'href="/releases/2026-06/"' in listing and 'href="/models/?release=2026-06"' in listing
    page = client.get("/releases/2026-06/").content.decode()
    release = DataRelease.objects.get()
    assert "What changed: &amp; &lt;b&gt;more&lt;/b&gt;." in page
    for frozen in release.files.all():
        assert f'href="/releases/2026-06/{frozen.filename}"' in page and frozen.sha256 in page
    assert "http://testserver/releases/2026-06/" in page
    download = client.get("/releases/2026-06/models.json")
    assert download.status_code == 200 and download["ETag"] == f'"{release.files.get(filename="models.json").sha256}"'
    assert 'filename="osai-index-2026-06-models.json"' in download["Content-Disposition"]
    assert client.get("/releases/2026-06/models.json", HTTP_IF_NONE_MATCH=download["ETag"]).status_code == 304
    # The footer leads to the data and the releases.
    assert 'href="/data/"' in page and 'href="/releases/"' in page


def _release_made(client, curator, django_capture_on_commit_callbacks):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    return DataRelease.objects.get()


def test_release_citation_in_bibtex_names_release_date_version_and_doi(
    client, curator, index, django_capture_on_commit_callbacks
):
    release = _release_made(client, curator, django_capture_on_commit_callbacks)
    response = client.get("/releases/2026-06/citation.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    fields = {name: entry.fields_dict[name].value for name in entry.fields_dict}
    assert entry.key == "osai-index-release-2026-06"
    assert fields["title"] == "{European Open Source AI Index, release 2026-06}"
    assert fields["doi"] == DOI
    assert fields["url"] == "http://testserver/releases/2026-06/"
    assert fields["date"] == release.released_at.date().isoformat()
    assert (
        fields["version"]
        == f"release 2026-06, data version {release.data_version} of {release.released_at.date().isoformat()}"
    )


def test_release_citation_in_ris_and_csl_json(client, curator, index, django_capture_on_commit_callbacks):
    release = _release_made(client, curator, django_capture_on_commit_callbacks)
    (record,) = rispy.loads(client.get("/releases/2026-06/citation.ris").content.decode())
    assert record["type_of_reference"] == "DATA"
    assert record["title"] == "European Open Source AI Index, release 2026-06"
    assert record["doi"] == DOI and record["urls"] == ["http://testserver/releases/2026-06/"]
    assert record["edition"].startswith("release 2026-06, data version")

    items = json.loads(client.get("/releases/2026-06/citation.json").content)
    day = release.released_at.date()
    assert items[0]["issued"] == {"date-parts": [[day.year, day.month, day.day]]}
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    text = str(bibliography.bibliography()[0])
    assert "European Open Source AI Index, release 2026-06" in text and str(day.year) in text


def test_release_page_has_cite_this_and_the_pinned_index_cites_the_release(
    client, curator, index, django_capture_on_commit_callbacks
):
    _release_made(client, curator, django_capture_on_commit_callbacks)
    for url in ("/releases/2026-06/", "/models/?release=2026-06"):
        page = client.get(url).content.decode()
        assert "Cite this release" in page
        assert 'href="/releases/2026-06/citation.bib"' in page and f"doi:{DOI}" in page


def test_a_release_has_its_own_data_package_whose_frozen_files_validate(
    client, curator, index, make_ai_model, django_capture_on_commit_callbacks
):
    from jsonschema import Draft202012Validator

    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    frozen_grades = client.get("/data/grades.csv?release=2026-06").content
    make_ai_model("Later Model")
    record_data_change("later")
    assert client.get("/data/grades.csv?release=2026-06").content == frozen_grades
    assert b"Later Model" in client.get("/data/grades.csv").content and b"Later Model" not in frozen_grades
    assert client.get("/data/grades.csv?release=nope").status_code == 404

    package = json.loads(client.get("/releases/2026-06/datapackage.json").content)
    assert package["version"] == "2026-06"
    assert [r["name"] for r in package["resources"]] == [
        "models",
        "models-details",
        "models-json",
        "grades",
        "organisations",
        "vocabularies",
    ]
    for resource in package["resources"]:
        path = resource["path"].removeprefix("http://testserver")
        assert path.startswith("/releases/2026-06/")
        schema = json.loads(client.get(resource["jsonSchema"].removeprefix("http://testserver")).content)
        validator = Draft202012Validator(schema)
        body = client.get(path).content.decode()
        if resource["format"] == "json":
            documents = [json.loads(body)]
        else:
            import csv
            import io

            documents = list(csv.DictReader(io.StringIO(body)))
            assert [f["name"] for f in resource["schema"]["fields"]] == list(documents[0])
        assert documents and all(not list(validator.iter_errors(d)) for d in documents), path


def test_pie_charts_take_a_release_as_they_take_as_of(
    client, curator, index, make_ai_model, django_capture_on_commit_callbacks
):
    _make_in_admin(client, curator, django_capture_on_commit_callbacks)
    make_ai_model("Later Model")
    record_data_change("later")
    from curation.charts.catalogue import catalogue
    from curation.charts.data import PIE

    key = next(spec.key for spec in catalogue().values() if spec.kind == PIE and spec.subset != "latest")
    pinned = client.get(f"/charts/{key}.json?release=2026-06")
    today = client.get(f"/charts/{key}.json?as_of=2099-01-01")
    assert pinned.status_code == 200, pinned.content
    assert pinned.json()["release"] == "2026-06"
    assert pinned.json()["total"] == 2  # the model added after the release is not counted
    import datetime

    assert client.get(f"/charts/{key}.json?as_of={datetime.date.today().isoformat()}").json()["total"] == 3
    assert client.get(f"/charts/{key}.json?release=nope").status_code == 404
    assert today.status_code == 400 and "future" in today.content.decode()


def test_files_frozen_after_the_data_moved_on_hold_the_index_of_the_release_moment(
    client, curator, index, make_ai_model
):
    from curation.public.release_files import freeze_release_files

    release = create_release(name="late", user=curator, site_address="http://testserver/models/")
    make_ai_model("Later Model")
    record_data_change("later")  # the worker runs only now

    assert freeze_release_files(release.pk) == 4
    files = {f.filename: bytes(f.content).decode() for f in release.files.all()}
    # Grades, organisations and the YAML zip only today's data can give: left out.
    assert set(files) == {"models.csv", "models-details.csv", "models.json", "vocabularies.csv"}
    names = [line.split(",")[0] for line in files["models.csv"].splitlines()[1:]]
    assert sorted(names) == ["Graded Model", "Other Model"]
    assert [m["name"] for m in json.loads(files["models.json"])["models"]] == names
    assert freeze_release_files(release.pk) == 0  # frozen once, for good


def test_the_sweep_freezes_a_release_whose_freezing_was_lost(client, curator, index):
    """A release made while the broker was down has no files until the beat's sweep freezes them."""
    from curation.tasks import sweep_chart_outbox

    lost = create_release(name="lost", user=curator, site_address="http://testserver/models/")
    assert lost.files_frozen_at is None and not lost.files.exists()
    sweep_chart_outbox.apply()
    lost.refresh_from_db()
    assert lost.files_frozen_at is not None
    assert {f.filename for f in lost.files.all()} >= {"models.csv", "models.json"}
    frozen_at, files = lost.files_frozen_at, lost.files.count()
    sweep_chart_outbox.apply()  # nothing left to do: the files stay as they were
    lost.refresh_from_db()
    assert lost.files_frozen_at == frozen_at and lost.files.count() == files
