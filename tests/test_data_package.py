"""The data package: /data/ lists every download; /data/datapackage.json describes them as a
Frictionless Data Package with a Table Schema per CSV table; each table has a JSON Schema at a
stable address, generated from the registry and the vocabularies; the real downloads (demo data
and the real upstream data) validate against them with jsonschema; the codebook page shows each
dimension, its criteria, the score formula and the vocabularies."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from curation import vocab
from curation.interchange import import_index
from curation.models import Dimension

DEMO_DATA = Path(__file__).resolve().parents[1] / "curation" / "demo_data"
CSV_TABLES = ("models", "models-details", "grades", "organisations", "vocabularies")


@pytest.fixture
def demo(registry):
    import_index(DEMO_DATA)


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _package(client) -> dict:
    return json.loads(_get(client, "/data/datapackage.json").content)


def _local(url: str) -> str:
    return url.removeprefix("http://testserver")


def _schema(client, name) -> Draft202012Validator:
    response = _get(client, f"/data/schemas/{name}.json")
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _rows(client, path) -> tuple[list[str], list[dict]]:
    text = _get(client, path).content.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return reader.fieldnames, list(reader)


def _errors(validator, document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)][:5]


def _validate_every_download(client) -> dict[str, int]:
    """Validate each download the package names against its JSON Schema; rows per table."""
    package = _package(client)
    counts = {}
    for resource in package["resources"]:
        validator = _schema(client, resource["name"])
        assert _local(resource["jsonSchema"]) == f"/data/schemas/{resource['name']}.json"
        path = _local(resource["path"])
        if resource["format"] == "json":
            document = json.loads(_get(client, path).content)
            assert _errors(validator, document) == []
            counts[resource["name"]] = len(document["models"])
            continue
        header, rows = _rows(client, path)
        # The Table Schema names the download's columns, in order.
        assert [f["name"] for f in resource["schema"]["fields"]] == header, resource["name"]
        for number, row in enumerate(rows, start=2):
            assert _errors(validator, row) == [], f"{path} line {number}"
        counts[resource["name"]] = len(rows)
    return counts


def test_the_package_lists_every_table_with_a_schema(client, demo):
    package = _package(client)
    assert package["name"] == "osai-index" and package["licenses"][0]["name"] == "CC-BY-4.0"
    names = [r["name"] for r in package["resources"]]
    assert names == ["models", "models-details", "models-json", "grades", "organisations", "vocabularies"]
    for resource in package["resources"]:
        assert resource["path"].startswith("http://testserver/")
        if resource["format"] == "csv":
            assert resource["mediatype"] == "text/csv" and resource["schema"]["fields"]
    page = _get(client, "/data/").content.decode()
    for resource in package["resources"]:
        assert f'href="{_local(resource["path"])}"' in page
        assert f'href="/data/schemas/{resource["name"]}.json"' in page
    assert 'href="/data/datapackage.json"' in page and 'href="/data/codebook/"' in page


def test_demo_downloads_validate_against_their_schemas(client, demo):
    counts = _validate_every_download(client)
    assert counts["models"] == counts["models-details"] == counts["models-json"] == 20
    assert counts["organisations"] > 0 and counts["grades"] > 20 * 5
    assert counts["vocabularies"] == sum(
        len(c.values)
        for c in (
            vocab.Grade,
            vocab.ModelType,
            vocab.PerformanceClass,
            vocab.DatePrecision,
            vocab.Sector,
            vocab.ContributorKind,
            vocab.BigTechBloc,
            vocab.OriginScope,
            vocab.Region,
        )
    )


@pytest.mark.slow
def test_real_upstream_downloads_validate_against_their_schemas(client, registry, shared_database):
    import_index(shared_database)
    counts = _validate_every_download(client)
    assert counts["models"] > 100 and counts["models"] == counts["models-json"]


def test_the_schemas_reject_what_the_data_never_hold(client, demo):
    models = _schema(client, "models")
    _header, rows = _rows(client, "/models.csv")
    dimension = Dimension.objects.filter(is_active=True).first().name
    assert _errors(models, rows[0]) == []
    assert _errors(models, rows[0] | {dimension: "0.7"})  # not a grade's points
    assert _errors(models, rows[0] | {"Total Score": "75%"})
    assert _errors(models, rows[0] | {"Extra": "x"})
    grades = _schema(client, "grades")
    _header, grade_rows = _rows(client, "/data/grades.csv")
    assert _errors(grades, grade_rows[0] | {"Grade": "mostly open"})
    assert _errors(grades, grade_rows[0] | {"Dimension": "no-such-dimension"})
    document = json.loads(_get(client, "/models.json").content)
    document["models"][0]["grades"][next(iter(document["models"][0]["grades"]))] = "ajar"
    assert _errors(_schema(client, "models-json"), document)


def test_schemas_follow_the_registry_and_vocabularies(client, demo):
    schema = json.loads(_get(client, "/data/schemas/models-json.json").content)
    grades = schema["properties"]["models"]["items"]["properties"]["grades"]["properties"]
    assert list(grades) == list(Dimension.objects.filter(is_active=True).values_list("ref", flat=True))
    assert next(iter(grades.values()))["enum"] == [*vocab.Grade.values, None]
    organisations = json.loads(_get(client, "/data/schemas/organisations.json").content)
    assert organisations["properties"]["Region"]["enum"] == list(vocab.Region.values)
    assert client.get("/data/schemas/nothing.json").status_code == 404


def test_grades_carry_their_evidence(client, make_ai_model):
    model = make_ai_model("Evidenced", grades={"licenses": "open"})
    model.assessments.filter(dimension__ref="licenses").update(
        links=["https://example.org/licence", "https://example.org/faq"], notes="Apache 2.0."
    )
    _header, rows = _rows(client, "/data/grades.csv")
    licence = next(row for row in rows if row["Dimension"] == "licenses")
    assert (licence["Model"], licence["Grade"], licence["Notes"]) == ("Evidenced", "open", "Apache 2.0.")
    assert licence["Evidence links"] == "https://example.org/licence https://example.org/faq"
    assert _errors(_schema(client, "grades"), licence) == []


def test_the_codebook_shows_dimensions_criteria_formula_and_vocabularies(client, demo):
    page = _get(client, "/data/codebook/").content.decode()
    for dimension in Dimension.objects.filter(is_active=True):
        assert f'id="dimension-{dimension.ref}"' in page and dimension.name in page
        if dimension.criteria_open:
            assert dimension.criteria_open.split("\n")[0][:40] in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert "mean of the points of all applicable dimensions" in page
    for name, choices in (("grade", vocab.Grade), ("region", vocab.Region), ("big_tech_bloc", vocab.BigTechBloc)):
        assert f'id="vocabulary-{name}"' in page
        assert all(f"<code>{value}</code>" in page for value in choices.values)
    # The worked example is scored by the index's own formula.
    assert "Worked example" in page
