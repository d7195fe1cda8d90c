"""How the importer maps tags, organisations, changed files, legacy dimensions and odd values."""

from __future__ import annotations

import datetime

import pytest
import yaml

from curation import vocab
from curation.interchange import export_index, import_index
from curation.models import AIModel, Assessment, DataChange, Dimension, Organisation
from curation.models.history import HistoryEntry, ImportRun
from curation.models.review import ChangeRequest

from .interchange_files import model_file


def _write(folder, files):
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


# --- tag vocabulary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, scope, country",
    [
        ("China", "country", "CN"),
        ("  china  ", "country", "CN"),
        ("USA", "country", "US"),
        ("United States", "country", "US"),
        ("united-states", "country", "US"),
        ("United Kingdom", "country", "GB"),
        ("South Korea", "country", "KR"),
        ("United Arab Emirates", "country", "AE"),
        ("International", "international", ""),
        ("UNDISCLOSED ", "undisclosed", ""),
    ],
)
def test_national_origin_spellings(raw, scope, country):
    assert vocab.parse_national_origin(raw) == vocab.Origin(scope, country)


@pytest.mark.parametrize(
    "raw, origin, expected",
    [
        ("Non-academic (Company)", "France", ("non_academic", "company", "none")),
        ("non academic ( company )", "France", ("non_academic", "company", "none")),
        ("Academic (Research community)  ", "International", ("academic", "research_community", "none")),
        ("ACADEMIC (University)", "Italy", ("academic", "university", "none")),
        ("Non-academic (American Big Tech)", "United States", ("non_academic", "company", "american_big_tech")),
        ("Non-academic (Big Tech)", "United States", ("non_academic", "company", "american_big_tech")),
        ("Non-academic (Big Tech)", "China", ("non_academic", "company", "chinese_big_tech")),
        ("Non-academic (Big Tech)", "Germany", ("non_academic", "company", "european_big_tech")),
        ("Non-academic (AI Tiger)", "China", ("non_academic", "company", "chinese_ai_tiger")),
        ("Non-academic (Chinese AI Tiger)", "China", ("non_academic", "company", "chinese_ai_tiger")),
    ],
)
def test_contributor_type_spellings_and_bloc_from_origin(raw, origin, expected):
    parsed = vocab.parse_contributor_type(raw, vocab.parse_national_origin(origin))
    assert (parsed.sector, parsed.kind, parsed.bloc) == expected


@pytest.mark.parametrize(
    "raw, origin",
    [
        ("Non-academic (Big Tech)", "Singapore"),  # no bloc for this origin
        ("Non-academic (AI Tiger)", "United States"),  # tigers are Chinese
        ("Semi-academic (Company)", "France"),
        ("Non-academic (Startup)", "France"),
    ],
)
def test_contributor_types_that_cannot_be_mapped(raw, origin):
    assert vocab.parse_contributor_type(raw, vocab.parse_national_origin(origin)) is None


# --- organisations -------------------------------------------------------------------------


def test_older_spellings_resolve_the_bloc_from_the_national_origin(db, tmp_path):
    _write(
        tmp_path,
        {
            "a.yaml": model_file(
                "Old Snapshot Model", org="Big Corp CN", origin="China", contributor="Non-academic (Big Tech)"
            ),
            "b.yaml": model_file(
                "Tiger Model", org="Tiger Corp", origin="China", contributor="Non-academic (AI Tiger)"
            ),
        },
    )
    report = import_index(tmp_path)
    assert report.unmapped_tags == []
    assert Organisation.objects.get(name="Big Corp CN").big_tech_bloc == "chinese_big_tech"
    assert Organisation.objects.get(name="Tiger Corp").big_tech_bloc == "chinese_ai_tiger"


def test_organisations_are_deduplicated_by_normalised_name_and_alias(db, tmp_path):
    Organisation.objects.create(name="Alphabet Research", slug="alphabet-research", aliases=["Google AI"])
    _write(
        tmp_path,
        {
            "a.yaml": model_file(
                "Model A", org="Google AI", origin="United States", contributor="Non-academic (American Big Tech)"
            ),
            "b.yaml": model_file(
                "Model B", org="google   ai ", origin="USA", contributor="Non-academic (American Big Tech)"
            ),
            "c.yaml": model_file(
                "Model C", org="GOOGLE-AI", origin="United States", contributor="Non-academic (American Big Tech)"
            ),
        },
    )
    report = import_index(tmp_path)
    assert report.skipped == []
    assert Organisation.objects.count() == 1
    org = Organisation.objects.get()
    assert AIModel.objects.filter(organisation=org).count() == 3
    assert org.aliases == ["Google AI", "google   ai", "GOOGLE-AI"]
    # The export writes each file's own spelling back.
    export_index(tmp_path / "out")
    names = {
        f: yaml.safe_load((tmp_path / "out" / f).read_text())["org"]["name"] for f in ("a.yaml", "b.yaml", "c.yaml")
    }
    assert names == {"a.yaml": "Google AI", "b.yaml": "google   ai", "c.yaml": "GOOGLE-AI"}


def test_unmapped_tag_is_kept_verbatim_marked_for_review_and_proposed(db, tmp_path):
    _write(
        tmp_path,
        {
            "a.yaml": model_file(
                "Lost Model", org="Atlantis Labs", origin="Atlantis", contributor="Non-academic (Startup)"
            )
        },
    )
    report = import_index(tmp_path)

    org = Organisation.objects.get(name="Atlantis Labs")
    assert (org.origin_tag, org.contributor_tag) == ("Atlantis", "Non-academic (Startup)")
    assert org.classification_status == "needs_review"
    assert org.origin_scope == "unknown" and org.sector == ""
    assert [(t.organisation, t.kind, t.raw_value) for t in report.unmapped_tags] == [
        (org, "national_origin", "Atlantis"),
        (org, "contributor_type", "Non-academic (Startup)"),
    ]
    assert report.organisations_needing_review == [org]
    # The review queue gets one question per unmapped tag, asked once.
    assert ChangeRequest.objects.filter(organisation=org, state="pending").count() == 2
    import_index(tmp_path)
    assert ChangeRequest.objects.filter(organisation=org, state="pending").count() == 2
    # Exported as written.
    export_index(tmp_path / "out")
    text = (tmp_path / "out" / "a.yaml").read_text()
    assert "# - National origin: Atlantis\n# - Contributor type: Non-academic (Startup)\n" in text


def test_curator_decisions_survive_a_reimport_of_unchanged_tags(db, tmp_path):
    _write(tmp_path, {"a.yaml": model_file("Lost Model", org="Atlantis Labs", origin="Atlantis")})
    import_index(tmp_path)
    org = Organisation.objects.get()
    org.origin_scope, org.country, org.classification_status = "country", "GR", "classified"
    org.save()
    report = import_index(tmp_path)
    org.refresh_from_db()
    assert (org.origin_scope, org.country.code, org.classification_status) == ("country", "GR", "classified")
    assert report.changes == [] and report.updated == []


# --- updates -------------------------------------------------------------------------------


def test_a_changed_file_updates_only_what_changed(db, tmp_path):
    _write(
        tmp_path,
        {
            "a.yaml": model_file("Model A", grades={"paper": "partial"}),
            "b.yaml": model_file("Model B", org="Other Org", origin="Germany"),
        },
    )
    import_index(tmp_path)
    model_a = AIModel.objects.get(name="Model A")
    score_before = model_a.total_score
    changes_before = DataChange.objects.count()

    _write(tmp_path, {"a.yaml": model_file("Model A", grades={"paper": "open"}, types="text, code")})
    report = import_index(tmp_path)

    assert (report.updated, report.unchanged, report.created) == (["a.yaml"], ["b.yaml"], [])
    assert [(c.target, c.field, c.before, c.after) for c in report.changes] == [
        (model_a, "types", ["text"], ["text", "code"]),
        (
            model_a,
            "assessment:paper",
            {"grade": "partial", "links": ["https://example.org/paper"], "notes": ""},
            {"grade": "open", "links": ["https://example.org/paper"], "notes": ""},
        ),
    ]
    model_a.refresh_from_db()
    assert model_a.total_score == pytest.approx(score_before + 0.5 / 12)
    assert DataChange.objects.count() == changes_before + 1
    # History: one entry per change, tied to the import run.
    run = ImportRun.objects.order_by("-id").first()
    assert (run.updated_count, run.unchanged_count, run.change_count) == (1, 1, 2)
    assert sorted(HistoryEntry.objects.filter(import_run=run).values_list("field", flat=True)) == [
        "assessment:paper",
        "types",
    ]


def test_a_changed_tag_reclassifies_the_organisation_and_reports_it(db, tmp_path):
    _write(tmp_path, {"a.yaml": model_file("Model A", org="Mover", origin="France")})
    import_index(tmp_path)
    _write(tmp_path, {"a.yaml": model_file("Model A", org="Mover", origin="Netherlands")})
    report = import_index(tmp_path)
    org = Organisation.objects.get(name="Mover")
    assert (org.country.code, org.region) == ("NL", "europe")
    assert [(c.field, c.before, c.after) for c in report.changes] == [
        ("national_origin", {"scope": "country", "country": "FR"}, {"scope": "country", "country": "NL"}),
    ]
    assert report.updated == ["a.yaml"]


def test_a_renamed_file_updates_the_same_model(db, tmp_path):
    (tmp_path / "v1").mkdir()
    _write(tmp_path / "v1", {"old name.yaml": model_file("Stable Model")})
    import_index(tmp_path / "v1")
    pk = AIModel.objects.get().pk
    (tmp_path / "v2").mkdir()
    _write(tmp_path / "v2", {"new-name.yaml": model_file("Stable Model")})
    report = import_index(tmp_path / "v2")
    assert report.updated == ["new-name.yaml"]
    assert list(AIModel.objects.values_list("pk", "upstream_filename")) == [(pk, "new-name.yaml")]


# --- odd but valid input -------------------------------------------------------------------


def test_legacy_dimensions_are_accepted_stored_and_not_scored(db, tmp_path):
    legacy = "package:\n    class: open\n    link: https://pypi.org/p\n    notes: On PyPI.\n\napi:\n    class: partial\n    link:\n    notes:\n"
    _write(tmp_path, {"a.yaml": model_file("Legacy Model", extra_blocks=legacy), "b.yaml": model_file("Plain Model")})
    report = import_index(tmp_path)
    assert report.skipped == [] and report.warnings == []
    package = Dimension.objects.get(ref="package")
    assert not package.is_active
    assert Assessment.objects.get(ai_model__name="Legacy Model", dimension=package).grade == "open"
    legacy_model, plain = AIModel.objects.get(name="Legacy Model"), AIModel.objects.get(name="Plain Model")
    assert legacy_model.total_score == plain.total_score
    export_index(tmp_path / "out")
    data = yaml.safe_load((tmp_path / "out" / "a.yaml").read_text())
    assert data["package"] == {"class": "open", "link": "https://pypi.org/p", "notes": "On PyPI."}
    assert data["api"] == {"class": "partial", "link": None, "notes": None}


@pytest.mark.parametrize(
    "raw, date, precision",
    [
        ("2024-05", datetime.date(2024, 5, 1), "month"),
        ("2024-05-17", datetime.date(2024, 5, 1), "month"),
        ("2023", datetime.date(2023, 1, 1), "year"),
        ("March 2023", datetime.date(2023, 3, 1), "month"),
        ("'2024/11'", datetime.date(2024, 11, 1), "month"),
        ("", None, ""),
    ],
)
def test_release_date_shapes(db, tmp_path, raw, date, precision):
    _write(tmp_path, {"a.yaml": model_file("Dated", releasedate=raw)})
    report = import_index(tmp_path)
    model = AIModel.objects.get()
    assert (model.release_date, model.release_date_precision) == (date, precision)
    assert report.warnings == []
    export_index(tmp_path / "out")
    exported = yaml.safe_load((tmp_path / "out" / "a.yaml").read_text())["system"]["releasedate"]
    assert exported == yaml.safe_load((tmp_path / "a.yaml").read_text())["system"]["releasedate"]


def test_unreadable_release_date_is_kept_as_written_with_a_warning(db, tmp_path):
    _write(tmp_path, {"a.yaml": model_file("Dated", releasedate="sometime soon")})
    report = import_index(tmp_path)
    assert AIModel.objects.get().release_date is None
    assert [(w.file, w.reason) for w in report.warnings] == [
        ("a.yaml", "system.releasedate: 'sometime soon' is not a date; kept as written"),
    ]
    export_index(tmp_path / "out")
    assert "    releasedate: sometime soon\n" in (tmp_path / "out" / "a.yaml").read_text()


def test_crlf_links_lists_and_missing_organisation(db, tmp_path):
    text = model_file("Windows Model", org=None, origin=None, contributor=None)
    text = text.replace("    link: https://example.org/paper", '    link: ["https://example.org/paper"]')
    (tmp_path / "w.yaml").write_bytes(text.replace("\n", "\r\n").encode())
    report = import_index(tmp_path)
    assert report.created == ["w.yaml"] and report.skipped == []
    model = AIModel.objects.get()
    assert model.organisation is None
    assert Assessment.objects.get(ai_model=model, dimension__ref="paper").links == ["https://example.org/paper"]
    export_index(tmp_path / "out")
    exported = yaml.safe_load((tmp_path / "out" / "w.yaml").read_text())
    assert exported == yaml.safe_load(text)


def test_a_changed_organisation_link_counts_as_an_update_and_is_recorded(db, tmp_path):
    _write(tmp_path, {"a.yaml": model_file("Model A", org="Linked Org")})
    import_index(tmp_path)
    versions = DataChange.objects.count()
    _write(
        tmp_path,
        {"a.yaml": model_file("Model A", org="Linked Org").replace("https://example.org\n", "https://example.net\n")},
    )
    report = import_index(tmp_path)
    assert report.updated == ["a.yaml"]
    assert Organisation.objects.get(name="Linked Org").link == "https://example.net"
    assert DataChange.objects.count() == versions + 1
    assert import_index(tmp_path).unchanged == ["a.yaml"]
