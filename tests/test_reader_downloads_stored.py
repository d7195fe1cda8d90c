"""The whole index's downloads: written once per data version (by the worker after a data change,
or while the first reader's stream goes out), served from storage, streamed from plain rows
when the file is not there, and never the old version's bytes after a change."""

import gzip
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage

from curation import tasks
from curation.datachanges import current_data_version, record_data_change
from curation.public import download_files, downloads, views
from curation.public.caching import code_stamp
from curation.public.queries import registry_columns

PAGE_URL = "http://testserver/models/"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip"}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stored_name(kind, base_url=PAGE_URL):
    return download_files.file_name(kind, code_stamp(), current_data_version(), base_url)


@pytest.fixture
def streamed(monkeypatch):
    """Every download streamed and every stored file streamed from storage, whatever its size."""
    monkeypatch.setattr(views, "STREAM_ABOVE_ROWS", 0)
    monkeypatch.setattr(views, "SEND_WHOLE_BYTES", 0)


@pytest.fixture
def models(make_ai_model):
    made = [make_ai_model(f"Stored Model {i}", grades={"licenses": "open"} if i % 2 else {}) for i in range(7)]
    record_data_change("models for the downloads")
    return made


def test_iter_index_json_writes_the_same_characters_as_index_json(models):
    columns = registry_columns()
    for kind_rows in (list(downloads._whole_index()[0]), []):
        whole = downloads.index_json(kind_rows, columns, base_url=PAGE_URL)
        streamed = "".join(downloads.iter_index_json(iter(kind_rows), columns, len(kind_rows), base_url=PAGE_URL))
        assert streamed == whole
        assert json.loads(streamed)["count"] == len(kind_rows)


def test_csv_chunks_join_to_the_whole_text(models, monkeypatch):
    monkeypatch.setattr(downloads, "_ROWS_PER_CHUNK", 2)  # several chunks, the last one short
    columns = registry_columns()
    rows = list(downloads._whole_index(categories=False)[0])
    chunks = list(downloads.iter_index_csv(rows, columns, base_url=PAGE_URL))
    assert len(chunks) > 2
    text = "".join(chunks)
    assert not text.endswith("\n") and text.count("\n") == len(rows)
    assert text.splitlines()[1].startswith("Stored Model")


@pytest.mark.parametrize(
    "url, kind",
    [
        ("/models.csv", download_files.CSV),
        ("/models-details.csv", download_files.DETAILS_CSV),
        ("/models.json", download_files.JSON),
    ],
)
def test_a_streamed_download_is_stored_and_the_stored_file_serves_the_same_bytes(client, models, streamed, url, kind):
    first = client.get(url)
    assert first.status_code == 200 and first.streaming
    assert first["Content-Type"] == kind.content_type
    streamed_bytes = _body(first)
    assert download_files.exists(_stored_name(kind))  # stored once the stream was complete
    second = client.get(url)
    assert second.streaming and "ETag" in second
    assert _body(second) == streamed_bytes
    packed = client.get(url, **GZIP)
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(_body(packed)) == streamed_bytes
    assert client.get(url, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304


def test_the_stored_file_equals_the_answer_made_whole(client, models):
    whole = client.get("/models.csv")  # 7 rows: made whole, page-cached
    assert not whole.streaming
    download_files.write_file(
        _stored_name(download_files.CSV), downloads.whole_index_chunks(download_files.CSV, PAGE_URL)
    )
    with default_storage.open(_stored_name(download_files.CSV), "rb") as stored:
        assert stored.read() == whole.content


def test_the_worker_writes_the_files_after_a_data_change(client, models, make_ai_model, settings):
    settings.OSAI_CHARTS_QUIET_SECONDS = 0  # the run goes ahead at once
    client.get("/models.csv")  # readers fetch the downloads from this address
    make_ai_model("Added Later")
    record_data_change("a model added")
    names = {kind: _stored_name(kind) for kind in download_files.KINDS}
    names[download_files.EXPORT_ZIP] = _stored_name(download_files.EXPORT_ZIP, "")
    assert not any(download_files.exists(name) for name in names.values())

    tasks.run_chart_regeneration.apply()  # the run the change asks for, here in this process

    for kind, name in names.items():
        assert download_files.exists(name), kind.filename
    with default_storage.open(names[download_files.CSV], "rb") as stored:
        assert b"Added Later" in stored.read()
    with default_storage.open(names[download_files.EXPORT_ZIP], "rb") as stored:
        assert zipfile.ZipFile(io.BytesIO(stored.read())).namelist()
    assert tasks.write_download_files.apply().result == {"written": 0}  # idempotent


def test_after_a_change_the_old_version_is_not_served_and_is_pruned(client, models, streamed):
    before = _body(client.get("/models.csv"))
    old_name = _stored_name(download_files.CSV)
    assert download_files.exists(old_name)
    models[0].name = "Renamed Model"
    models[0].save()
    record_data_change("renamed")
    after = _body(client.get("/models.csv"))
    assert after != before and b"Renamed Model" in after and b"Stored Model 0" not in after
    record_data_change("another change")
    client.get("/models.csv")
    tasks.write_download_files.apply()
    assert not download_files.exists(old_name)  # two versions back: deleted


def test_a_filtered_download_is_streamed_but_never_stored(client, models, streamed):
    response = client.get("/models.csv?grade_licenses=open")
    assert response.streaming
    lines = _body(response).decode().split("\n")
    assert len(lines) == 1 + 3
    assert not default_storage.exists(download_files.STORAGE_DIR) or not any(
        download_files.exists(_stored_name(kind)) for kind in download_files.KINDS
    )


def test_a_broken_off_stream_stores_nothing(client, models, streamed):
    response = client.get("/models.json")
    iterator = iter(response.streaming_content)
    next(iterator)
    response.close()  # the reader went away
    assert not download_files.exists(_stored_name(download_files.JSON))


def test_the_export_zip_is_stored_once_per_data_version(client, models):
    first = client.get("/export.zip")
    assert first.status_code == 200
    assert download_files.exists(_stored_name(download_files.EXPORT_ZIP, ""))
    second = client.get("/export.zip")
    assert _body(second) == _body(first)
    assert second["Content-Disposition"] == 'attachment; filename="osai-index-export.zip"'


def test_a_stored_file_is_sent_whole_and_then_answered_from_memory(client, models):
    from curation.public.caching import CACHE_STATUS_HEADER, front_pages, retire_cached_pages

    client.get("/models.csv")  # readers fetch the downloads from this address
    tasks.write_download_files.apply()
    retire_cached_pages()  # forget the answer made before the file was there
    front_pages.clear()
    first = client.get("/models.csv")
    assert not first.streaming
    assert first["ETag"] == download_files.etag(download_files.CSV, code_stamp(), current_data_version(), PAGE_URL)
    second = client.get("/models.csv")
    assert second[CACHE_STATUS_HEADER] == "hit" and second.content == first.content
