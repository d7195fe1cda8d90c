"""Cite this: the index and each model in BibTeX, RIS and CSL-JSON, read back with the parsers
people use (bibtexparser, rispy, citeproc-py), at stable download addresses and in a <details>
block on the index and model pages; the dataset DOI comes from OSAI_DATASET_DOI."""

from __future__ import annotations

import datetime
import html
import json
import re

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.db import transaction

from curation.conf import DEFAULTS
from curation.datachanges import current_data_version, record_data_change
from curation.models import AIModel

DOI = "10.5281/zenodo.15386042"
INDEX_TITLE = "European Open Source AI Index"


@pytest.fixture
def model(make_ai_model, settings):
    settings.OSAI_DATASET_DOI = DOI
    model = make_ai_model("Tricky {Model} & 100% #1_a", link="https://example.org/m")
    record_data_change("test")
    return model


def _download(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content.decode()


def _only_bibtex_entry(text):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    assert len(library.entries) == 1
    return library.entries[0]


def _bib_value(entry, name):
    # bibtexparser keeps the braces and LaTeX escapes as written; undo the ones the site writes.
    value = entry.fields_dict[name].value
    if value.startswith("{") and value.endswith("}"):  # the title's protecting braces
        value = value[1:-1]
    return re.sub(r"\\([{}&%$#_])", r"\1", value)


def test_index_bibtex_parses_and_names_title_version_date_url_doi(client, model):
    text = _download(client, "/citation.bib", "application/x-bibtex")
    entry = _only_bibtex_entry(text)
    today = datetime.date.today()
    version = current_data_version()

    assert entry.entry_type == "misc" and entry.key == f"osai-index-v{version}"
    assert _bib_value(entry, "title") == INDEX_TITLE
    assert _bib_value(entry, "url") == "http://testserver/models/"
    assert _bib_value(entry, "doi") == DOI
    assert _bib_value(entry, "year") == str(today.year)
    assert _bib_value(entry, "date") == today.isoformat()
    assert _bib_value(entry, "version") == f"data version {version} of {today.isoformat()}"
    assert "CC-BY 4.0" in _bib_value(entry, "note")


def test_model_bibtex_escapes_the_name(client, model):
    entry = _only_bibtex_entry(_download(client, f"/models/{model.slug}/citation.bib", "application/x-bibtex"))

    assert _bib_value(entry, "title") == f"{model.name}: openness assessment in the {INDEX_TITLE}"
    assert _bib_value(entry, "url") == f"http://testserver/models/{model.slug}/"
    assert re.fullmatch(r"[a-z0-9-]+", entry.key) and model.slug.replace("_", "-") in entry.key.replace("_", "-")


def test_ris_parses_with_rispy(client, model):
    records = rispy.loads(
        _download(client, f"/models/{model.slug}/citation.ris", "application/x-research-info-systems")
    )
    today = datetime.date.today()

    assert len(records) == 1
    record = records[0]
    assert record["type_of_reference"] == "DATA"
    assert record["title"] == f"{model.name}: openness assessment in the {INDEX_TITLE}"
    assert record["urls"] == [f"http://testserver/models/{model.slug}/"]
    assert record["doi"] == DOI
    assert record["year"] == str(today.year) and record["date"] == today.strftime("%Y/%m/%d")
    assert record["edition"] == f"data version {current_data_version()} of {today.isoformat()}"


def test_csl_json_has_the_required_fields_and_formats_with_citeproc(client, model):
    items = json.loads(_download(client, "/citation.json", "application/vnd.citationstyles.csl+json"))
    today = datetime.date.today()

    assert len(items) == 1
    item = items[0]
    assert {"id", "type", "title", "issued", "URL"} <= set(item)
    assert item["type"] == "dataset" and item["title"] == INDEX_TITLE
    assert item["issued"] == {"date-parts": [[today.year, today.month, today.day]]}
    assert item["URL"] == "http://testserver/models/" and item["DOI"] == DOI

    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    [formatted] = [str(entry) for entry in bibliography.bibliography()]
    assert INDEX_TITLE in formatted and str(today.year) in formatted


def test_doi_is_left_out_when_unset(client, model, settings):
    settings.OSAI_DATASET_DOI = ""

    bib = _only_bibtex_entry(_download(client, "/citation.bib", "application/x-bibtex"))
    ris = rispy.loads(_download(client, "/citation.ris", "application/x-research-info-systems"))[0]
    csl = json.loads(_download(client, "/citation.json", "application/vnd.citationstyles.csl+json"))[0]
    page = client.get("/models/").content.decode()

    assert "doi" not in bib.fields_dict and "doi" not in ris and "DOI" not in csl
    assert "doi.org" not in page


def test_citation_follows_the_data_version(client, model, django_capture_on_commit_callbacks):
    before = _only_bibtex_entry(client.get("/citation.bib").content.decode())
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        AIModel.objects.filter(pk=model.pk).update(name="Renamed")
        record_data_change("rename")
    after = _only_bibtex_entry(client.get("/citation.bib").content.decode())

    assert after.key != before.key
    assert _bib_value(after, "version").startswith(f"data version {current_data_version()} ")


def test_unknown_model_or_format_is_404(client, model):
    assert client.get("/models/no-such-model/citation.bib").status_code == 404
    assert client.get("/citation.doc").status_code == 404


def _details(page: str) -> str:
    found = re.search(r'<details class="cite-this" id="cite">(.*?)</details>', page, re.S)
    assert found, "no Cite this block"
    return found.group(1)


def _code_blocks(block: str) -> list[str]:
    return [html.unescape(code) for code in re.findall(r"<pre><code>(.*?)</code></pre>", block, re.S)]


def test_index_and_model_pages_show_the_citations_and_link_the_downloads(client, model):
    index_block = _details(client.get("/models/").content.decode())
    bib, ris, csl = _code_blocks(index_block)[:3]
    assert bib == client.get("/citation.bib").content.decode()
    assert ris == client.get("/citation.ris").content.decode()
    assert json.loads(csl) == json.loads(client.get("/citation.json").content)
    for url in ("/citation.bib", "/citation.ris", "/citation.json"):
        assert f'href="{url}"' in index_block

    model_block = _details(client.get(f"/models/{model.slug}/").content.decode())
    blocks = _code_blocks(model_block)
    assert blocks[0] == client.get(f"/models/{model.slug}/citation.bib").content.decode()
    for fmt in ("bib", "ris", "json"):
        assert f'href="/models/{model.slug}/citation.{fmt}"' in model_block
    badge = f"http://testserver/models/{model.slug}/badge.svg"
    assert f"[![{model.name}: openness]({badge})](http://testserver/models/{model.slug}/)" in blocks


def test_footer_doi_comes_from_the_setting(client, model, settings):
    settings.OSAI_DATASET_DOI = "10.1234/example.5678"
    page = client.get("/charts/").content.decode()
    assert 'href="https://doi.org/10.1234/example.5678"' in page and DOI not in page


def test_citations_are_cached_per_data_version(client, model):
    from curation.public.caching import retire_cached_pages

    retire_cached_pages()  # a shared Redis may hold pages of earlier tests at the same data version
    url = f"/models/{model.slug}/citation.ris"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_citation_cff_describes_the_data_and_the_code():
    import yaml

    from tests.conftest import PROJECT_ROOT

    cff = yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))

    # The keys CFF 1.2.0 requires, for the repository and for its preferred citation.
    assert cff["cff-version"] == "1.2.0"
    assert cff["message"] and cff["title"] and cff["authors"][0]["name"]
    assert cff["type"] == "software"
    # The code's licence is the LICENSE file's; the data's stays CC-BY 4.0.
    assert cff["license"] == "Apache-2.0"
    assert "Apache License\n                           Version 2.0" in (PROJECT_ROOT / "LICENSE").read_text(
        encoding="utf-8"
    )
    data = cff["preferred-citation"]
    assert data["type"] == "data" and data["title"] == INDEX_TITLE and data["authors"][0]["name"]
    assert data["license"] == "CC-BY-4.0"
    # The same DOI as the README and the setting's default (footer and citations).
    default = DEFAULTS["OSAI_DATASET_DOI"]
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert data["doi"] == default and f"doi:{default}" in readme
