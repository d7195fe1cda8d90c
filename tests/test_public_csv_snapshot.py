"""`/models.csv` of the shared snapshot equals upstream's download, computed independently.

The independent side (tests/upstream_reference.py) reads the YAML files and `_parameters.yml`
with PyYAML alone and applies upstream's published rules, without any project code.
"""

import pytest

from tests.upstream_reference import folder_files, upstream_csv


@pytest.mark.slow
def test_csv_equals_upstreams_download_for_the_shared_snapshot(client, db, shared_database):
    from curation.interchange.importer import import_index
    from curation.models import AIModel

    import_index(shared_database)
    response = client.get("/models.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert "\r" not in body and not body.endswith("\n")

    pages = {m.upstream_filename: f"http://testserver/models/{m.slug}/" for m in AIModel.objects.all()}
    expected = upstream_csv(
        folder_files(shared_database),
        (shared_database / "_parameters.yml").read_text(encoding="utf-8"),
        url_of=lambda row: pages[row["file"]],
    )
    assert body.splitlines()[0].startswith("Model Name,URL,Total Score,Base Model Data,")
    assert len(body.splitlines()) == len(folder_files(shared_database))  # header + every file but the template
    assert body == expected
