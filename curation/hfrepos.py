"""Hugging Face model repositories of a model: reading them from links and checking them.

A model's adoption (downloads and likes) is read per Hugging Face model repository, named by
its repository id `<owner>/<name>` (e.g. `meta-llama/Llama-3.1-8B`). A model has zero or more.
Unless a curator set them (`AIModel.hf_repos`, reviewed like any classified field), they are
derived from the model's own links: its website (`system.link`) and the evidence links of its
end-model weights, where they point to a model page on huggingface.co. Links to datasets,
Spaces, papers, collections, docs and the like are not model repositories and are ignored, and
so are the base model's weights (those are another model's downloads).

Pure functions, no database access.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from curation import weblinks

HUB_HOSTS = ("huggingface.co", "www.huggingface.co", "hf.co")
# The dimension whose evidence links may name the model's own repositories.
WEIGHTS_DIMENSION = "weights_endmodel"

# First path segments of huggingface.co that are not a repository owner.
_NOT_OWNERS = frozenset(
    {
        "api",
        "blog",
        "chat",
        "collections",
        "datasets",
        "docs",
        "enterprise",
        "join",
        "learn",
        "login",
        "models",
        "new",
        "organizations",
        "papers",
        "posts",
        "pricing",
        "search",
        "settings",
        "spaces",
        "tasks",
        "inference-endpoints",
        "inference-api",
        "changelog",
        "terms-of-service",
        "privacy",
        "buckets",
        "hub",
        "support",
    }
)
_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?"
REPO_ID_RE = re.compile(rf"^{_PART}/{_PART}$")
MAX_REPOS = 20


def repo_id_from_url(url: str) -> str | None:
    """`https://huggingface.co/<owner>/<name>[/tree/main…]` -> `<owner>/<name>`; None for any
    other link (another host, a dataset, a Space, an organisation page, a paper…)."""
    if not weblinks.is_http_url(url):
        return None
    parsed = weblinks.browser_url(url)
    if parsed is None or parsed.hostname.lower() not in HUB_HOSTS:
        return None
    parts = [p for p in parsed.pathname.split("/") if p]
    if len(parts) < 2 or parts[0].lower() in _NOT_OWNERS:
        return None
    candidate = f"{parts[0]}/{parts[1]}"
    return candidate if REPO_ID_RE.match(candidate) and ".." not in candidate else None


def derive_repo_ids(links: Iterable[str]) -> list[str]:
    """The repository ids named by `links`, in order, each once (compared case-insensitively,
    as the Hub resolves them)."""
    found: dict[str, str] = {}
    for link in links:
        repo = repo_id_from_url(link or "")
        if repo is not None:
            found.setdefault(repo.lower(), repo)
    return list(found.values())


def clean_repo_ids(value) -> list[str]:
    """A curator's or a file's list of repositories: a list, or text with one id (or
    huggingface.co URL) per line or separated by commas or spaces. Returns the ids, each once.

    Raises ValueError naming the first entry that is not `<owner>/<name>` (or a model URL on
    huggingface.co), or when there are more than MAX_REPOS.
    """
    if value is None:
        return []
    if isinstance(value, str):
        items = [item for item in re.split(r"[\s,]+", value) if item]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValueError(f"expected a list of repository ids (owner/name), not {type(value).__name__}")
    ids: dict[str, str] = {}
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not a repository id (owner/name)")
        text = item.strip()
        repo = (
            repo_id_from_url(text) if "://" in text else (text if REPO_ID_RE.match(text) and ".." not in text else None)
        )
        if repo is None:
            raise ValueError(f"{text!r} is not a Hugging Face model repository (owner/name, or its huggingface.co URL)")
        ids.setdefault(repo.lower(), repo)
    if len(ids) > MAX_REPOS:
        raise ValueError(f"{len(ids)} repositories: at most {MAX_REPOS} per model")
    return list(ids.values())


def repo_url(repo_id: str) -> str:
    """The public page of a repository."""
    return f"https://huggingface.co/{repo_id}"
