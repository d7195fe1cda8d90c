"""The curation app's settings: every `OSAI_*` setting it reads, with its default, in one place.

(Three keep the names they are known by: `REDIS_TIMEOUT_SECONDS`, `HF_ENDPOINT`, `HF_TOKEN`.)
A host site sets any of them in its Django settings; what it leaves out takes the default
below. Code of the app reads them as attributes of `app_settings`, at the moment it needs them,
so `override_settings` in tests and settings changed after start-up are seen:

    from curation.conf import app_settings
    app_settings.OSAI_CHART_RETENTION_DAYS   # -> int, days

The host site may also take its environment defaults from `DEFAULTS`, so that a default is
written once (see osai_index/settings.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

MIB = 1024 * 1024

#: Every setting of the app and its default. Units are in the names (seconds, days, bytes).
DEFAULTS: dict[str, Any] = {
    # Review: a superuser may approve their own proposals (single-person installations).
    "OSAI_ALLOW_SELF_APPROVAL": False,
    # Reverse proxies in front of the site: which X-Forwarded-For entry is the client.
    "OSAI_TRUSTED_PROXIES": 0,
    # API tokens expire this many days after they were issued.
    "OSAI_API_TOKEN_MAX_AGE_DAYS": 30.0,
    # Public page cache: how long a page is kept (seconds), and how long a process trusts the
    # data version it last read before asking the shared cache again (seconds).
    "OSAI_PAGE_CACHE_SECONDS": 60 * 60 * 24,
    "OSAI_PAGE_VERSION_MEMO_SECONDS": 1.0,
    # Behind a caching front proxy (deploy/nginx): how long it may keep an anonymous cached
    # answer (seconds, sent as X-Accel-Expires; 0: no such header).
    "OSAI_PROXY_CACHE_SECONDS": 0,
    # After a cache or broker error, each process runs without it for this long (seconds).
    "OSAI_CACHE_RETRY_SECONDS": 5.0,
    # Longest wait on Redis, cache and broker alike (seconds; environment OSAI_REDIS_TIMEOUT_SECONDS).
    "REDIS_TIMEOUT_SECONDS": 1.0,
    # Charts: countries named in the origins charts before "Other"; days superseded versions
    # are kept; a burst of edits is coalesced after this many quiet seconds (at most the max
    # wait); the sweep picks up outbox rows at least this old (seconds).
    "OSAI_CHARTS_TOP_ORIGINS": 8,
    "OSAI_CHART_RETENTION_DAYS": 30,
    "OSAI_CHARTS_QUIET_SECONDS": 0.5,
    "OSAI_CHARTS_MAX_WAIT_SECONDS": 10.0,
    "OSAI_CHARTS_SWEEP_MIN_AGE_SECONDS": 10.0,
    # Beat (the host's CELERY_BEAT_SCHEDULE): how often the outbox sweep and the publication of
    # due scheduled posts run (seconds); the hour (UTC) of the daily adoption run.
    "OSAI_CHARTS_SWEEP_SECONDS": 15.0,
    "OSAI_PUBLISH_SCHEDULED_SECONDS": 60.0,
    "OSAI_ADOPTION_FETCH_HOUR": 4,
    # Logins (admin, API token): failures in a row before an address is locked out, and for how
    # many minutes (the host passes them to django-axes).
    "OSAI_LOGIN_FAILURE_LIMIT": 5,
    "OSAI_LOGIN_COOLOFF_MINUTES": 15,
    # Readers' correction suggestions: how many one address may send (a rate, e.g. "5/hour").
    "OSAI_SUGGESTION_RATE": "5/hour",
    # Posts: hosts whose https iframes posts may embed; lifetime of a signed draft-preview link
    # (seconds).
    "OSAI_IFRAME_ALLOWED_HOSTS": ["www.youtube-nocookie.com", "player.vimeo.com"],
    "OSAI_PREVIEW_LINK_MAX_AGE": 7 * 24 * 3600,
    # Imports refuse any file larger than this (bytes).
    "OSAI_IMPORT_MAX_FILE_BYTES": 1 * MIB,
    # Multipart request bodies (admin image uploads) up to this many bytes; None: no limit.
    "OSAI_MAX_UPLOAD_BYTES": 32 * MIB,
    # Sites that may frame the embed pages, as CSP frame-ancestors sources ("*": any site).
    "OSAI_EMBED_FRAME_ANCESTORS": ["*"],
    # The dataset's DOI, named in the footer and in citations; empty: none is given.
    "OSAI_DATASET_DOI": "10.5281/zenodo.15386042",
    # Workers report to /readyz this often, and a report older than the max age counts as dead
    # (seconds).
    "OSAI_WORKER_HEARTBEAT_SECONDS": 10.0,
    "OSAI_WORKER_HEARTBEAT_MAX_AGE": 60.0,
    # Adoption figures (Hugging Face Hub): the Hub's address and an optional token (the Hub's own
    # names, as huggingface_hub reads them from the environment); requests at
    # once; tries per repository, backoff base and ceiling (seconds); seconds per request; the
    # longest a daily run holds its lock (seconds).
    "HF_ENDPOINT": "https://huggingface.co",
    "HF_TOKEN": "",
    "OSAI_ADOPTION_CONCURRENCY": 4,
    "OSAI_ADOPTION_MAX_ATTEMPTS": 6,
    "OSAI_ADOPTION_BACKOFF_SECONDS": 2.0,
    "OSAI_ADOPTION_MAX_BACKOFF_SECONDS": 300.0,
    "OSAI_ADOPTION_TIMEOUT_SECONDS": 20.0,
    "OSAI_ADOPTION_LOCK_SECONDS": 6 * 3600,
}


class AppSettings:
    """The app's settings as attributes: the host's value, else the default in `DEFAULTS`.

    Raises AttributeError for a name that is not in `DEFAULTS` (a misspelt setting fails loudly
    instead of silently reading None).
    """

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"curation has no setting {name!r}; its settings are listed in curation.conf.DEFAULTS")
        return getattr(settings, name, DEFAULTS[name])


app_settings = AppSettings()
