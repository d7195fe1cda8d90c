"""Classification per model, as upstream records it: import, export, filters, API, charts,
public pages and the review workflow on a model's own classification."""

from __future__ import annotations

import re
import shutil

import pytest

from curation import vocab
from curation.charts.catalogue import catalogue, get_spec
from curation.filters import AIModelFilter
from curation.interchange import export_index, import_index
from curation.interchange.importer import usual_value
from curation.models import AIModel, ChangeRequest, HistoryEntry, Organisation
from curation.review import services

from .charts_helpers import build_demo_index, expected_pie, pie_counts
from .conftest import SHARED_DATABASE
from .interchange_files import model_file

BAAI = [
    "AltDiffusion.yaml",
    "AquilaChat.yaml",
    "AquilaCode.yaml",
    "Infinity-Instruct.yaml",
    "NOVA Video.yaml",
    "OmniGen.yaml",
]
MICROSOFT = ["Phi.yaml", "BitNet.yaml", "WaveCoder.yaml", "WizardLM.yaml"]
_TAGS = re.compile(r"^#\s*-\s*(?:National origin|Contributor type)\s*:.*$", re.MULTILINE)

US = {"scope": "country", "country": "US"}
CN = {"scope": "country", "country": "CN"}
INTERNATIONAL = {"scope": "international", "country": ""}


def real_files(folder, names):
    """A folder holding some real upstream files (copied at test time, with the registry)."""
    folder.mkdir(exist_ok=True)
    for name in ["_parameters.yml", *names]:
        shutil.copy(SHARED_DATABASE / name, folder / name)
    return folder


def tag_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in _TAGS.findall(text)]


def _write(folder, files):
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


# --- import: each file's tags on its model -------------------------------------------------


def test_an_institute_holds_what_most_files_say_and_a_model_tagged_otherwise_its_own(db, tmp_path):
    import_index(real_files(tmp_path / "in", BAAI))
    baai = Organisation.objects.get(name="Beijing Academy of Artificial Intelligence")
    assert (baai.country.code, baai.sector, baai.contributor_kind, baai.classification_status) == (
        "CN",
        "non_academic",
        "research_institution",
        "classified",
    )
    omnigen = AIModel.objects.get(name="OmniGen")
    assert (omnigen.origin_tag, omnigen.contributor_tag) == ("China", "Academic (Individual)")
    assert omnigen.own_origin is None  # China, as the institute
    assert omnigen.own_contributor == {"sector": "academic", "kind": "individual", "bloc": "none"}
    altdiffusion = AIModel.objects.get(name="AltDiffusion")
    assert (altdiffusion.own_origin, altdiffusion.own_contributor) == (None, None)
    assert altdiffusion.contributor_tag == "Non-academic (Research institution)"
    # Effective: the model's own where it has one.
    assert (omnigen.classification().sector, altdiffusion.classification().sector) == ("academic", "non_academic")
    assert AIModel.objects.with_classification().get(pk=omnigen.pk).effective_sector == "academic"


def test_a_collaboration_keeps_its_international_tag_under_its_organisation(db, tmp_path):
    # A curator has recorded that "Microsoft and Peking University" is Microsoft.
    Organisation.objects.create(name="Microsoft", slug="microsoft", aliases=["Microsoft and Peking University"])
    report = import_index(real_files(tmp_path / "in", MICROSOFT))
    assert report.skipped == []
    microsoft = Organisation.objects.get()
    assert (microsoft.origin_scope, microsoft.country.code, microsoft.big_tech_bloc) == (
        "country",
        "US",
        "american_big_tech",
    )
    wizard = AIModel.objects.get(name="WizardLM")
    assert wizard.organisation == microsoft
    assert wizard.own_origin == INTERNATIONAL and wizard.own_contributor is None
    effective = wizard.classification()
    assert (effective.origin_scope, effective.region, effective.big_tech_bloc) == (
        "international",
        "international",
        "american_big_tech",
    )
    assert all(m.own_origin is None for m in AIModel.objects.exclude(pk=wizard.pk))

    # Export writes every file's own tags back unchanged, and a re-import changes nothing.
    export_index(tmp_path / "out")
    for name in MICROSOFT:
        assert tag_lines((tmp_path / "out" / name).read_text()) == tag_lines((SHARED_DATABASE / name).read_text()), name
    again = import_index(tmp_path / "out")
    assert again.changes == [] and again.updated == []


def test_export_writes_each_files_own_tags_for_the_whole_snapshot(db, tmp_path):
    import_index(SHARED_DATABASE)
    export_index(tmp_path)
    compared = 0
    for source in sorted(SHARED_DATABASE.glob("*.yaml")):
        if source.name == "a_submission_template.yaml":
            continue
        assert tag_lines((tmp_path / source.name).read_text()) == tag_lines(source.read_text()), source.name
        compared += 1
    assert compared == 193


@pytest.mark.parametrize("order", [1, -1])
def test_the_usual_value_is_what_most_files_say_and_a_tie_goes_to_the_first_file_by_name(order):
    votes = [("b.yaml", {"v": "DE"}, "Germany"), ("a.yaml", {"v": "FR"}, "France"), ("c.yaml", {"v": "FR"}, "france")]
    assert usual_value(votes[::order]) == ({"v": "FR"}, "France")  # 2 to 1; the spelling of a.yaml
    tie = [("b.yaml", {"v": "DE"}, "Germany"), ("a.yaml", {"v": "FR"}, "France")]
    assert usual_value(tie[::order]) == ({"v": "FR"}, "France")
    assert usual_value([]) is None


def test_a_tie_between_two_files_gives_the_organisation_the_first_file_and_the_other_its_own(db, tmp_path):
    _write(
        tmp_path,
        {
            "b.yaml": model_file("Model B", org="Duo Lab", origin="Germany"),
            "a.yaml": model_file("Model A", org="Duo Lab", origin="France"),
        },
    )
    import_index(tmp_path)
    assert Organisation.objects.get().country.code == "FR"
    assert AIModel.objects.get(name="Model A").own_origin is None
    assert AIModel.objects.get(name="Model B").own_origin == {"scope": "country", "country": "DE"}


def test_a_new_majority_moves_the_usual_value_without_changing_what_any_model_counts_as(db, tmp_path):
    _write(
        tmp_path,
        {
            "a.yaml": model_file("Model A", org="Mover Lab", origin="France"),
            "b.yaml": model_file("Model B", org="Mover Lab", origin="France"),
            "c.yaml": model_file("Model C", org="Mover Lab", origin="Germany"),
        },
    )
    import_index(tmp_path)
    before = {m.name: m.classification().country for m in AIModel.objects.select_related("organisation")}
    assert before == {"Model A": "FR", "Model B": "FR", "Model C": "DE"}
    _write(
        tmp_path,
        {
            "d.yaml": model_file("Model D", org="Mover Lab", origin="Germany"),
            "e.yaml": model_file("Model E", org="Mover Lab", origin="Germany"),
        },
    )
    report = import_index(tmp_path)
    org = Organisation.objects.get()
    assert org.country.code == "DE"  # three files of five
    after = {m.name: m.classification().country for m in AIModel.objects.select_related("organisation")}
    assert after == {**before, "Model D": "DE", "Model E": "DE"}
    assert {
        (
            getattr(c.target, "name", ""),
            c.field,
            c.before and c.before.get("country"),
            c.after and c.after.get("country"),
        )
        for c in report.changes
    } == {
        ("Mover Lab", "national_origin", "FR", "DE"),
        ("Model A", "national_origin", None, "FR"),
        ("Model B", "national_origin", None, "FR"),
        ("Model C", "national_origin", "DE", None),
    }
    assert HistoryEntry.objects.filter(ai_model__name="Model A", field="national_origin").count() == 1
    again = import_index(tmp_path)
    assert again.changes == []


def test_a_model_tag_the_vocabulary_lacks_is_asked_about_on_the_model(db, tmp_path):
    _write(
        tmp_path,
        {
            "a.yaml": model_file("Model A", org="Known Lab", origin="France"),
            "b.yaml": model_file("Model B", org="Known Lab", origin="France"),
            "c.yaml": model_file("Model C", org="Known Lab", origin="Atlantis"),
        },
    )
    report = import_index(tmp_path)
    model_c = AIModel.objects.get(name="Model C")
    assert [(t.ai_model, t.kind, t.raw_value) for t in report.unmapped_tags] == [
        (model_c, "national_origin", "Atlantis")
    ]
    question = ChangeRequest.objects.get(state="pending")
    assert (question.ai_model, question.field, question.source_value) == (model_c, "national_origin", "Atlantis")
    assert model_c.own_origin is None and Organisation.objects.get().classification_status == "classified"
    export_index(tmp_path / "out")
    assert "# - National origin: Atlantis\n" in (tmp_path / "out" / "c.yaml").read_text()


def test_a_curators_model_level_decision_survives_a_reimport_of_unchanged_tags(db, tmp_path):
    import_index(real_files(tmp_path / "in", BAAI))
    omnigen = AIModel.objects.get(name="OmniGen")
    omnigen.set_own_origin(INTERNATIONAL)
    omnigen.save()
    report = import_index(tmp_path / "in")
    omnigen.refresh_from_db()
    assert omnigen.own_origin == INTERNATIONAL
    assert report.changes == []


# --- effective classification everywhere ---------------------------------------------------


@pytest.fixture
def collaboration(make_organisation, make_ai_model):
    """Microsoft (United States, American Big Tech) with Phi, and WizardLM tagged International."""
    microsoft = make_organisation("Microsoft", country="US", big_tech_bloc=vocab.BigTechBloc.AMERICAN)
    phi = make_ai_model("Phi", organisation=microsoft, performance_class="latest")
    wizard = make_ai_model("WizardLM", organisation=microsoft, performance_class="full")
    wizard.set_own_origin(INTERNATIONAL)
    wizard.save()
    return microsoft, phi, wizard


def _names(data):
    return sorted(m.name for m in AIModelFilter(data, AIModel.objects.public()).qs)


def test_filters_use_the_effective_classification(collaboration):
    assert _names({"country": "US"}) == ["Phi"]
    assert _names({"region": "international"}) == ["WizardLM"]
    assert _names({"region": "north_america"}) == ["Phi"]
    assert _names({"bloc": "american_big_tech"}) == ["Phi", "WizardLM"]


def test_the_api_shows_and_filters_by_the_effective_classification(collaboration, client):
    wizard = client.get("/api/v1/models/wizardlm/").json()
    assert wizard["organisation"]["name"] == "Microsoft"
    assert wizard["classification"] == {
        "origin_scope": "international",
        "country": "",
        "country_name": "",
        "region": "international",
        "sector": "non_academic",
        "contributor_kind": "company",
        "big_tech_bloc": "american_big_tech",
        "own_origin": True,
        "own_contributor": False,
    }
    phi = client.get("/api/v1/models/phi/").json()["classification"]
    assert (phi["country"], phi["country_name"], phi["own_origin"]) == ("US", "United States of America", False)
    listed = client.get("/api/v1/models/?country=US").json()
    assert [m["name"] for m in listed["results"]] == ["Phi"]


def test_charts_and_home_figures_count_each_model_by_its_effective_classification(collaboration, client):
    assert pie_counts(get_spec("national-origins").compute()) == {"United States": 1, "International": 1}
    assert pie_counts(get_spec("regions").compute()) == {"North America": 1, "International": 1}
    _, phi, _ = collaboration
    phi.set_own_contributor({"sector": "academic", "kind": "research_lab", "bloc": "none"})
    phi.save()
    assert pie_counts(get_spec("academic-share").compute()) == {"Academic": 1, "Non-academic": 1}
    assert pie_counts(get_spec("big-tech-share").compute()) == {"American Big Tech": 1, "Not Big Tech": 1}
    assert pie_counts(get_spec("big-tech-share-latest").compute()) == {"Not Big Tech": 1}


def test_every_pie_equals_an_independent_recount_with_models_classified_apart(make_organisation, make_ai_model):
    orgs, _ = build_demo_index(make_organisation, make_ai_model)
    apart = make_ai_model("Collaboration", organisation=orgs["meta"], performance_class="latest")
    apart.set_own_origin({"scope": "country", "country": "CN"})
    apart.set_own_contributor({"sector": "academic", "kind": "university", "bloc": "none"})
    apart.save()
    tiger = make_ai_model("Tiger collaboration", organisation=orgs["uva"])
    tiger.set_own_contributor({"sector": "non_academic", "kind": "company", "bloc": "chinese_ai_tiger"})
    tiger.save()
    for key, spec in catalogue().items():
        if spec.kind == "pie":
            assert pie_counts(spec.compute()) == expected_pie(key), key


def test_the_model_page_shows_its_own_classification_beside_its_organisations(collaboration, client):
    page = client.get("/models/wizardlm/").content.decode()
    assert 'International <span class="muted">(this model\'s own; Microsoft: United States of America)</span>' in page
    assert "Upstream classifies this model apart" in page
    assert "Upstream classifies this model apart" not in client.get("/models/phi/").content.decode()
    organisation_page = client.get("/organisations/microsoft/").content.decode()
    assert (
        'Classified apart by their own files:\n      <a href="/models/wizardlm/">WizardLM</a> (International).'
        in organisation_page
    )


# --- the review workflow on a model's own classification ------------------------------------


def test_a_models_own_classification_is_proposed_reviewed_and_applied_with_history(people, collaboration):
    _, phi, _ = collaboration
    cr = services.propose(phi, "national_origin", CN, user=people.curator, rationale="Built by the Beijing lab")
    assert (cr.before, cr.after) == (None, CN)
    phi.refresh_from_db()
    assert phi.own_origin is None  # nothing live until approved
    services.approve(cr, people.reviewer)
    phi.refresh_from_db()
    assert phi.own_origin == CN and phi.classification().region == "east_asia"
    assert pie_counts(get_spec("national-origins").compute()) == {"China": 1, "International": 1}
    entry = HistoryEntry.objects.get(ai_model=phi, field="national_origin")
    assert (entry.before, entry.after, entry.approver) == (None, CN, people.reviewer)

    # Back to its organisation's: proposing "none" is a proposal like any other.
    back = services.propose(phi, "national_origin", None, user=people.curator, rationale="Same as Microsoft after all")
    services.approve(back, people.reviewer2)
    phi.refresh_from_db()
    assert phi.own_origin is None and phi.classification().country == "US"


def test_the_organisation_level_changes_every_model_that_inherits_it(people, collaboration):
    microsoft, _phi, _wizard = collaboration
    cr = services.propose(
        microsoft,
        "national_origin",
        {"scope": "country", "country": "IE"},
        user=people.curator,
        rationale="Registered in Ireland",
    )
    services.approve(cr, people.reviewer)
    assert pie_counts(get_spec("national-origins").compute()) == {"Ireland": 1, "International": 1}


def test_the_admin_proposes_a_models_own_classification_for_review(people, collaboration, client):
    _, phi, _ = collaboration
    client.force_login(people.curator)
    url = f"/admin/curation/aimodel/{phi.pk}/change/"
    from .review_fixtures import admin_form_data

    data = admin_form_data(client.get(url))
    data.update({"own_origin_scope": "international", "own_country": "", "rationale": "A joint release"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cr = ChangeRequest.objects.get(ai_model=phi, field="national_origin")
    assert (cr.state, cr.after) == ("pending", INTERNATIONAL)
    phi.refresh_from_db()
    assert phi.own_origin is None
