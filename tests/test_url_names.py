"""Every address of the app is reversed by name in the `curation` namespace."""

import re
from pathlib import Path

from django.urls import resolve, reverse

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = re.compile(r"""(?:href|src|action)="/(?!/)""")


def test_names_reverse_to_the_addresses_readers_know():
    assert reverse("curation:home") == "/"
    assert reverse("curation:model_detail", args=["olmo"]) == "/models/olmo/"
    assert reverse("curation:chart_file", args=["origins", "svg"]) == "/charts/origins.svg"
    assert reverse("curation:news-list") == "/news/"
    assert reverse("curation:api:aimodel-list") == "/api/v1/models/"
    assert resolve("/organisations/x/").view_name == "curation:organisation_detail"


def test_no_template_of_the_app_writes_an_address_by_hand():
    """Hand-written addresses break when a host site mounts the app under a prefix."""
    offenders = []
    for path in (ROOT / "curation" / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ADDRESS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
