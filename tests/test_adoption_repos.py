"""A model's Hugging Face repositories: derived from its links, curated through review, carried
by the upstream YAML as an optional key."""

from __future__ import annotations

import re

import pytest

from curation import hfrepos
from curation.interchange import export_index, import_index
from curation.models import AIModel, Assessment, HistoryEntry
from curation.review import services
from curation.review.errors import ValidationFailed

from .interchange_files import model_file


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://huggingface.co/meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B"),
        ("https://huggingface.co/mistralai/Mistral-7B-v0.1/tree/main", "mistralai/Mistral-7B-v0.1"),
        ("http://www.huggingface.co/bigscience/bloom?x=1#card", "bigscience/bloom"),
        ("https://hf.co/Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-7B"),
        ("https://huggingface.co/datasets/allenai/dolma", None),
        ("https://huggingface.co/spaces/openai/whisper", None),
        ("https://huggingface.co/papers/2401.00001", None),
        ("https://huggingface.co/collections/meta-llama/llama-31-abc", None),
        ("https://huggingface.co/meta-llama", None),
        ("https://github.com/meta-llama/llama", None),
        ("https://huggingface.co.evil.example/meta-llama/x", None),
        ("javascript:alert(1)", None),
    ],
)
def test_repository_ids_are_read_from_model_pages_on_the_hub_only(url, expected):
    assert hfrepos.repo_id_from_url(url) == expected


def test_clean_repo_ids_accepts_ids_urls_and_text_and_names_a_bad_entry():
    assert hfrepos.clean_repo_ids("a/b\nhttps://huggingface.co/c/d, A/B") == ["a/b", "c/d"]
    assert hfrepos.clean_repo_ids(["x/y"]) == ["x/y"]
    with pytest.raises(ValueError, match=r"'not a repo'|'not'"):
        hfrepos.clean_repo_ids(["not a repo"])
    with pytest.raises(ValueError, match=re.escape("'https://huggingface.co/datasets/a/b'")):
        hfrepos.clean_repo_ids("https://huggingface.co/datasets/a/b")
    with pytest.raises(ValueError, match=re.escape("'../etc'")):
        hfrepos.clean_repo_ids("../etc")


def test_a_model_derives_its_repositories_from_its_link_and_end_model_weights_evidence(make_ai_model):
    model = make_ai_model("Derived", link="https://huggingface.co/lab/derived-7b")
    Assessment.objects.filter(ai_model=model, dimension__ref="weights_endmodel").update(
        links=[
            "https://huggingface.co/lab/derived-7b-instruct",
            "https://huggingface.co/datasets/lab/data",
            "https://huggingface.co/LAB/derived-7b",
        ]
    )
    Assessment.objects.filter(ai_model=model, dimension__ref="weights_basemodel").update(
        links=["https://huggingface.co/other/base-7b"]
    )
    assert model.hf_repos is None
    assert model.hf_repo_ids() == ["lab/derived-7b", "lab/derived-7b-instruct"]
    model.hf_repos = []
    assert model.hf_repo_ids() == []


def test_curators_propose_repositories_and_a_reviewer_applies_them(people, make_ai_model):
    model = make_ai_model("Reviewed", link="https://huggingface.co/lab/reviewed")
    with pytest.raises(ValidationFailed, match="Hugging Face repositories: 'lab/'"):
        services.propose(model, "hf_repos", "lab/", user=people.curator, rationale="typo")
    cr = services.propose(
        model,
        "hf_repos",
        "lab/reviewed\nlab/reviewed-chat",
        user=people.curator,
        rationale="The chat model is published apart.",
    )
    model.refresh_from_db()
    assert model.hf_repos is None  # nothing live before review
    services.approve(cr, people.reviewer)
    model.refresh_from_db()
    assert model.hf_repos == ["lab/reviewed", "lab/reviewed-chat"]
    entry = HistoryEntry.objects.filter(ai_model=model, field="hf_repos").get()
    assert (entry.before, entry.after) == (None, ["lab/reviewed", "lab/reviewed-chat"])
    back = services.propose(model, "hf_repos", "", user=people.curator, rationale="Derive again.")
    services.approve(back, people.reviewer)
    model.refresh_from_db()
    assert model.hf_repos is None and model.hf_repo_ids() == ["lab/reviewed"]


def _upstream_file(name: str) -> str:
    return model_file(name).rstrip("\n") + "\n"  # as upstream ends its files


def _with_key(text: str, line: str) -> str:
    return text.replace(
        "    notes: A model described for tests.\n", f"    notes: A model described for tests.\n{line}\n"
    )


@pytest.mark.parametrize(
    "line, expected",
    [
        ("    huggingface: lab/one", ["lab/one"]),
        ('    huggingface: ["lab/one", "lab/two"]', ["lab/one", "lab/two"]),
        ("    huggingface: []", []),
        ("    huggingface:", []),
    ],
)
def test_the_optional_yaml_key_round_trips_byte_for_byte(registry, tmp_path, line, expected):
    source = tmp_path / "in"
    source.mkdir()
    text = _with_key(_upstream_file("Keyed"), line)
    (source / "keyed.yaml").write_text(text)
    (source / "plain.yaml").write_text(_upstream_file("Plain"))
    report = import_index(source)
    assert report.skipped == []
    assert AIModel.objects.get(name="Keyed").hf_repos == expected
    assert AIModel.objects.get(name="Plain").hf_repos is None
    out = tmp_path / "out"
    export_index(out)
    assert (out / "keyed.yaml").read_text() == text
    assert (out / "plain.yaml").read_text() == _upstream_file("Plain")
    again = import_index(out)
    assert again.changes == [] and sorted(again.unchanged) == ["keyed.yaml", "plain.yaml"]


def test_a_curated_list_is_exported_and_imported_back(make_ai_model, tmp_path):
    model = make_ai_model("Site Made")
    AIModel.objects.filter(pk=model.pk).update(hf_repos=["lab/site-made", "lab/site-made-chat"])
    export_index(tmp_path)
    text = (tmp_path / "site-made.yaml").read_text()
    assert '    huggingface: ["lab/site-made", "lab/site-made-chat"]\n' in text
    AIModel.objects.filter(pk=model.pk).update(hf_repos=None)
    import_index(tmp_path)
    model.refresh_from_db()
    assert model.hf_repos == ["lab/site-made", "lab/site-made-chat"]


def test_a_bad_repository_in_a_file_is_refused_with_file_and_line(registry, tmp_path):
    text = _with_key(model_file("Bad"), "    huggingface: [lab/ok, not/a/repo]")
    (tmp_path / "bad.yaml").write_text(text)
    line = text.splitlines().index("    huggingface: [lab/ok, not/a/repo]") + 1
    report = import_index(tmp_path)
    assert not AIModel.objects.filter(name="Bad").exists()
    [skipped] = report.skipped
    assert skipped.file == "bad.yaml" and skipped.line == line
    assert "system.huggingface" in skipped.reason and "'not/a/repo'" in skipped.reason


def test_the_admin_form_proposes_repositories_for_review_and_names_a_bad_one(client, people, make_ai_model):
    from django.urls import reverse

    from curation.models import ChangeRequest

    from .review_fixtures import admin_form_data

    model = make_ai_model("Admin Edited", link="https://huggingface.co/lab/admin-edited")
    url = reverse("admin:curation_aimodel_change", args=[model.pk])
    client.force_login(people.curator)
    data = admin_form_data(client.get(url))
    assert data["hf_repos_text"] == ""  # derived: nothing set
    data.update({"hf_repos_text": "lab/admin-edited\nnot a repo", "rationale": "chat model"})
    response = client.post(url, data)
    assert "is not a Hugging Face model repository" in str(response.context["adminform"].form.errors)
    data["hf_repos_text"] = "lab/admin-edited\nhttps://huggingface.co/lab/admin-edited-chat"
    assert client.post(url, data).status_code == 302
    cr = ChangeRequest.objects.get(field="hf_repos")
    assert cr.after == ["lab/admin-edited", "lab/admin-edited-chat"] and cr.before is None
    model.refresh_from_db()
    assert model.hf_repos is None
