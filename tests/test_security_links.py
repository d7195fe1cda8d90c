"""Links readers may follow are http(s) only, checked in one place (curation.weblinks), whoever
writes them: the import, the admin, the API and the review services; reader pages never turn an older
stored value into a clickable script."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from curation.interchange import import_index
from curation.models import AIModel, ChangeRequest, Organisation
from curation.review import services
from curation.review.errors import ValidationFailed
from curation.weblinks import is_http_url

from .interchange_files import model_file
from .review_fixtures import admin_form_data, new_grade

SCRIPTS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
]
NOT_HTTP = [
    *SCRIPTS,
    "ftp://example.org/file",
    "file:///etc/passwd",
    "//example.org/no-scheme",
    "/relative/path",
    "example.org",
    # Browsers read `\` as `/` and drop tabs and newlines: these point elsewhere than they read.
    "https://evil.invalid\\@example.org/",
    "https://exa\nmple.org/",
    "https://exa\tmple.org/",
    "http://",
    "",
]


@pytest.mark.parametrize("value", NOT_HTTP)
def test_the_one_check_refuses_everything_but_http_urls(value):
    assert not is_http_url(value)


@pytest.mark.parametrize(
    "value", ["https://example.org/", "http://example.org/a?b=c#d", "https://hf.co/x/y", "https://例え.jp/パス"]
)
def test_the_one_check_accepts_http_urls(value):
    assert is_http_url(value)


@pytest.mark.django_db
@pytest.mark.parametrize("model_class, fields", [(AIModel, {"slug": "m"}), (Organisation, {"slug": "o"})])
def test_model_fields_validate_links(model_class, fields):
    row = model_class(name="Probe", link="javascript:alert(1)", **fields)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "link" in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("link", SCRIPTS)
def test_the_review_services_refuse_a_script_website_on_any_edit(people, graded_model, link):
    """Before: save_entry stored any text as a model's website; a draft's too."""
    with pytest.raises(ValidationFailed) as refused:
        services.save_entry(graded_model, user=people.curator, details={"link": link})
    assert refused.value.field == "link"
    graded_model.refresh_from_db()
    assert graded_model.link == ""

    draft = AIModel(name="Draft probe", link=link)
    with pytest.raises(ValidationFailed):
        services.create_entry(draft, user=people.curator, rationale="new")
    assert not AIModel.objects.filter(name="Draft probe").exists()


@pytest.mark.django_db
def test_the_review_services_refuse_script_evidence(people, graded_model):
    with pytest.raises(ValidationFailed) as refused:
        services.propose(
            graded_model,
            "assessment:weights_endmodel",
            new_grade("open"),
            user=people.curator,
            rationale="r",
            evidence_link="JavaScript:alert(1)",
        )
    assert refused.value.field == "evidence_link"
    with pytest.raises(ValidationFailed):
        services.propose(
            graded_model,
            "assessment:weights_endmodel",
            new_grade("open", link="javascript:alert(1)"),
            user=people.curator,
            rationale="r",
            evidence_link="https://example.org/",
        )
    assert not ChangeRequest.objects.exists()


@pytest.mark.django_db
def test_the_admin_form_refuses_a_non_http_website(client, people, graded_model):
    client.force_login(people.superuser)
    url = reverse("admin:curation_aimodel_change", args=[graded_model.pk])
    data = admin_form_data(client.get(url))
    data["link"] = "ftp://example.org/weights"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "link" in response.context["adminform"].form.errors
    graded_model.refresh_from_db()
    assert graded_model.link == ""


@pytest.mark.django_db
def test_the_api_refuses_a_non_http_evidence_link(people, graded_model):
    api = APIClient()
    api.force_authenticate(people.curator)
    for link in ("ftp://example.org/evidence", "javascript:alert(1)"):
        response = api.post(
            "/api/v1/change-requests/",
            {
                "target_type": "model",
                "target": graded_model.slug,
                "field": "assessment:weights_endmodel",
                "after": new_grade("open"),
                "rationale": "r",
                "evidence_link": link,
            },
            format="json",
        )
        assert response.status_code == 400, response.content
        assert response.json()["field"] == "evidence_link"
    assert not ChangeRequest.objects.exists()


@pytest.mark.django_db
def test_a_script_link_stored_earlier_is_never_clickable(client, graded_model, make_organisation):
    """A value written before the check (or by a raw update) shows as text, never as an href."""
    AIModel.objects.filter(pk=graded_model.pk).update(link="javascript:alert(1)")
    graded_model.assessments.filter(dimension__ref="weights_endmodel").update(links=["javascript:alert(2)"])
    organisation = graded_model.organisation
    Organisation.objects.filter(pk=organisation.pk).update(link="JAVASCRIPT:alert(3)")

    model_page = client.get(reverse("curation:model_detail", args=[graded_model.slug])).content.decode()
    organisation_page = client.get(reverse("curation:organisation_detail", args=[organisation.slug])).content.decode()

    for page in (model_page, organisation_page):
        assert 'href="javascript' not in page.lower()
    assert "javascript:alert(2)" in model_page  # still shown to readers, as text


IMPORTED_LINKS = {
    "system.link": "    link: https://example.org/model",
    "org.link": "    link: https://example.org\n",
    "paper.link": "    link: https://example.org/paper",
}


@pytest.mark.parametrize("script", ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,x"])
@pytest.mark.parametrize("where", list(IMPORTED_LINKS))
def test_the_import_refuses_a_script_link_with_file_and_line(db, tmp_path, client, where, script):
    """Before: an imported `link: javascript:...` was stored and shown on the public page."""
    written = IMPORTED_LINKS[where]
    bad = model_file("Sneaky", org="Sneaky Org").replace(
        written, written.replace(written.split("link: ")[1].rstrip("\n"), script), 1
    )
    (tmp_path / "sneaky.yaml").write_text(bad)
    line = next(i for i, text in enumerate(bad.splitlines(), start=1) if script in text)

    report = import_index(tmp_path)

    assert [(w.file, w.line, w.reason) for w in report.warnings if "http(s)" in w.reason] == [
        ("sneaky.yaml", line, f"{where}: {script!r} is not an http(s) URL; refused, not stored as a link"),
    ]
    assert report.created == ["sneaky.yaml"]  # the rest of the file is imported
    model = AIModel.objects.get(name="Sneaky")
    stored = [model.link, model.organisation.link] + [link for a in model.assessments.all() for link in a.links]
    assert script not in stored and all(is_http_url(link) for link in stored if link)
    page = client.get(f"/models/{model.slug}/").content.decode()
    assert script not in page


def test_the_import_reads_a_bare_host_as_its_https_url_and_exports_it_as_written(db, tmp_path):
    from curation.interchange.exporter import export_index

    text = model_file("Bare", org="Bare Org").replace("    link: https://example.org\n", "    link: bare.example\n", 1)
    (tmp_path / "bare.yaml").write_text(text)
    report = import_index(tmp_path)
    assert report.created == ["bare.yaml"]
    assert any(
        "org.link: 'bare.example' has no scheme; read as https://bare.example" in w.reason for w in report.warnings
    )
    assert Organisation.objects.get(name="Bare Org").link == "https://bare.example"
    out = tmp_path / "out"
    export_index(out)
    assert (out / "bare.yaml").read_text().rstrip() == text.rstrip()  # the original spelling is back
