"""Adoption readings over a small index: eight models of three organisations (one a draft, one
without a repository), the readings of their Hugging Face repositories over two months."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from curation.adoption.readings import store_readings
from curation.models import RepoAdoption

D = datetime.date
# (repository, day, status, downloads in the last 30 days)
READINGS = [
    ("a/one", D(2025, 6, 10), "ok", 100),
    ("a/one", D(2025, 6, 30), "ok", 150),
    ("a/one", D(2025, 7, 31), "ok", 200),
    ("a/two", D(2025, 6, 30), "ok", 50),
    ("a/three", D(2025, 7, 31), "ok", 300),
    ("c/one", D(2025, 6, 30), "ok", 400),
    ("c/one", D(2025, 7, 15), "ok", 500),
    ("c/one", D(2025, 7, 31), "ok", 600),
    ("e/one", D(2025, 6, 30), "ok", 100),
    ("e/one", D(2025, 7, 20), "ok", 80),
    ("e/one", D(2025, 7, 31), "failed", None),
    ("d/one", D(2025, 6, 30), "ok", 10**6),  # a draft's: readers never count it
    ("e/gone", D(2025, 6, 30), "not_found", None),
]
OPEN_ALL = dict.fromkeys(
    ("weights_endmodel", "datasources_basemodel", "datasources_endmodel", "trainingcode", "licenses"), "open"
)


@pytest.fixture
def adoption_index(make_organisation, make_ai_model):
    american = make_organisation("Am", country="US", big_tech_bloc="american_big_tech")
    tiger = make_organisation("Tiger", country="CN", big_tech_bloc="chinese_ai_tiger")
    europe = make_organisation("Eu", country="FR")
    models = {
        "m1": make_ai_model("M1", organisation=american, grades=OPEN_ALL, hf_repos=["a/one", "a/two"]),
        "m2": make_ai_model(
            "M2", organisation=american, grades={"weights_endmodel": "open"}, link="https://huggingface.co/a/three"
        ),
        "m3": make_ai_model("M3", organisation=tiger, grades={"weights_endmodel": "open"}, hf_repos=["c/one"]),
        "m4": make_ai_model("M4", organisation=europe, link="https://huggingface.co/e/one"),
        "m5": make_ai_model("M5", organisation=europe, hf_repos=["A/One"]),  # m1's repository: counted once, for m1
        "m6": make_ai_model("M6", organisation=europe, hf_repos=["d/one"], is_public=False),
        "m7": make_ai_model("M7", organisation=europe, hf_repos=["e/gone"]),
        "m8": make_ai_model("M8", organisation=europe),
    }
    store_readings(
        RepoAdoption(repo_id=repo, day=day, status=status, downloads=n, fetched_at=timezone.now())
        for repo, day, status, n in READINGS
    )
    return models
