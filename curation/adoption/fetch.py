"""Reading downloads and likes from the Hugging Face Hub with its official client.

`fetch_adoption()` reads every repository of the index's models (`repos.repo_ids_by_model`)
once per day (UTC) and stores one `RepoAdoption` row each:

- idempotent per day: a repository already read today (or found missing) is not asked again,
  so a run that stopped half-way (a crash, a deploy) resumes where it stopped, and a second run
  the same day asks nothing;
- rate limits: an answer 429 pauses every request of the run for the `Retry-After` the Hub
  gives (else an exponential backoff from OSAI_ADOPTION_BACKOFF_SECONDS, at most
  OSAI_ADOPTION_MAX_BACKOFF_SECONDS), then the request is tried again, up to
  OSAI_ADOPTION_MAX_ATTEMPTS times; network errors and 5xx answers are retried the same way;
- a repository the Hub does not know (404) is recorded as `not_found`, never fatal; one that
  still fails after every attempt is recorded as `failed` and asked again on the next run;
- at most OSAI_ADOPTION_CONCURRENCY requests at once; rows are written in batches, each in its
  own transaction, and the run ends by recording a data change so that charts regenerate.

`HF_ENDPOINT` (setting or environment) points the client at another Hub, e.g. a fake one.
Runs in a Celery worker (the daily beat task) or in `manage.py fetch_adoption`, never in a web
request.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from curation.conf import app_settings
from curation.datachanges import record_data_change
from curation.models import AdoptionStatus, RepoAdoption

from .figures import refresh_model_figures
from .readings import store_readings
from .repos import repo_ids_by_model

log = logging.getLogger(__name__)

EXPAND = ["downloads", "downloadsAllTime", "likes"]
RETRIED_STATUS = {408, 429, 500, 502, 503, 504}


def _setting(name: str):
    return getattr(app_settings, name)


@dataclass
class Answer:
    """What one repository gave: a status and, when read, its figures."""

    repo_id: str
    status: str
    downloads: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None
    detail: str = ""
    rate_limited: int = 0  # how many 429 answers it took


@dataclass
class FetchReport:
    """A run's outcome: repositories asked for and how each ended; `seconds` wall-clock."""

    day: datetime.date
    repositories: int = 0
    already_read: int = 0
    read: int = 0
    not_found: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    rate_limited: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"{self.repositories} repositories on {self.day}: {self.read} read",
            f"{self.already_read} already read today",
            f"{len(self.not_found)} not on the Hub",
            f"{len(self.failed)} failed",
            f"{self.rate_limited} rate-limit answers (429)",
        ]
        return ", ".join(parts) + f"; {self.seconds:.1f} s"


class _Pause:
    """One pause shared by the run's threads: after a 429 nobody asks before it ends."""

    def __init__(self, sleep: Callable[[float], None]):
        self._lock = threading.Lock()
        self._until = 0.0
        self._sleep = sleep

    def wait(self) -> None:
        while True:
            with self._lock:
                delay = self._until - time.monotonic()
            if delay <= 0:
                return
            self._sleep(delay)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)


def hub_client():
    """The official client, pointed at HF_ENDPOINT; a token only where HF_TOKEN is set."""
    from huggingface_hub import HfApi

    return HfApi(endpoint=_setting("HF_ENDPOINT").rstrip("/"), token=_setting("HF_TOKEN") or False)


def _retry_after(response) -> float | None:
    value = (getattr(response, "headers", None) or {}).get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def read_repository(api, repo_id: str, pause: _Pause, sleep: Callable[[float], None] = time.sleep) -> Answer:
    """Ask the Hub for one repository's figures, with retries (see the module's docstring)."""
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    attempts = int(_setting("OSAI_ADOPTION_MAX_ATTEMPTS"))
    base = float(_setting("OSAI_ADOPTION_BACKOFF_SECONDS"))
    ceiling = float(_setting("OSAI_ADOPTION_MAX_BACKOFF_SECONDS"))
    timeout = float(_setting("OSAI_ADOPTION_TIMEOUT_SECONDS"))
    rate_limited = 0
    problem = ""
    for attempt in range(attempts):
        pause.wait()
        try:
            info = api.model_info(repo_id, expand=EXPAND, timeout=timeout)
        except RepositoryNotFoundError:
            return Answer(repo_id, AdoptionStatus.NOT_FOUND, detail="404: not on the Hub", rate_limited=rate_limited)
        except HfHubHTTPError as exc:
            status = getattr(exc.response, "status_code", None)
            if status == 404:
                return Answer(
                    repo_id, AdoptionStatus.NOT_FOUND, detail="404: not on the Hub", rate_limited=rate_limited
                )
            problem = f"HTTP {status}"
            if status not in RETRIED_STATUS:
                break
            wait = _retry_after(exc.response) if status == 429 else None
            if status == 429:
                rate_limited += 1
            wait = min(ceiling, wait if wait is not None else base * 2**attempt)
            if status == 429:
                pause.hold(wait)
            elif attempt + 1 < attempts:
                sleep(wait)
            continue
        except Exception as exc:  # noqa: BLE001 - the network: refused, reset, timed out
            problem = f"{type(exc).__name__}: {exc}"[:200]
            if attempt + 1 < attempts:
                sleep(min(ceiling, base * 2**attempt))
            continue
        return Answer(
            repo_id,
            AdoptionStatus.OK,
            downloads=info.downloads,
            downloads_all_time=info.downloads_all_time,
            likes=info.likes,
            rate_limited=rate_limited,
        )
    return Answer(
        repo_id,
        AdoptionStatus.FAILED,
        detail=f"{problem} after {attempt + 1} attempt(s)"[:300],
        rate_limited=rate_limited,
    )


def repositories_to_read(models=None) -> list[str]:
    """Every repository of `models` (default: all), each once (case-insensitively), sorted."""
    unique: dict[str, str] = {}
    for repos in repo_ids_by_model(models).values():
        for repo in repos:
            unique.setdefault(repo.lower(), repo)
    return sorted(unique.values(), key=str.lower)


def _store(day: datetime.date, answers: list[Answer]) -> None:
    now = timezone.now()
    rows = [
        RepoAdoption(
            repo_id=a.repo_id,
            day=day,
            status=a.status,
            downloads=a.downloads,
            downloads_all_time=a.downloads_all_time,
            likes=a.likes,
            detail=a.detail,
            fetched_at=now,
        )
        for a in answers
    ]
    store_readings(rows)


def fetch_adoption(
    *,
    models=None,
    day: datetime.date | None = None,
    api=None,
    concurrency: int | None = None,
    batch_size: int = 50,
    progress: Callable[[int], object] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Read today's figures (UTC; or `day`'s) for the repositories of `models` (default: all).

    `progress(total)` may return an object with `update(n)` and `close()` (a tqdm bar).
    Returns a FetchReport; raises nothing for a repository that fails (it is in the report).
    """
    started = time.monotonic()
    day = day or timezone.now().date()
    repos = repositories_to_read(models)
    done = {
        r.lower()
        for r in RepoAdoption.objects.filter(
            day=day, status__in=[AdoptionStatus.OK, AdoptionStatus.NOT_FOUND]
        ).values_list("repo_id", flat=True)
    }
    todo = [r for r in repos if r.lower() not in done]
    report = FetchReport(day=day, repositories=len(repos), already_read=len(repos) - len(todo))
    bar = progress(len(todo)) if progress else None
    api = api or hub_client()
    pause = _Pause(sleep)
    pending: list[Answer] = []
    workers = max(1, int(concurrency or _setting("OSAI_ADOPTION_CONCURRENCY")))
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="adoption")
    try:
        futures = [executor.submit(read_repository, api, repo, pause, sleep) for repo in todo]
        for future in as_completed(futures):
            answer = future.result()
            pending.append(answer)
            report.rate_limited += answer.rate_limited
            if answer.status == AdoptionStatus.OK:
                report.read += 1
            elif answer.status == AdoptionStatus.NOT_FOUND:
                report.not_found.append(answer.repo_id)
            else:
                report.failed.append((answer.repo_id, answer.detail))
            if len(pending) >= batch_size:
                _store(day, pending)
                pending = []
            if bar is not None:
                bar.update(1)
        _store(day, pending)
        pending = []
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        if bar is not None and hasattr(bar, "close"):
            bar.close()
    if todo:
        with transaction.atomic():
            refresh_model_figures()
            record_data_change(f"adoption figures of {day}: {report.read} repositories read", kept_in_history=True)
    report.not_found.sort()
    report.failed.sort()
    report.seconds = time.monotonic() - started
    log.info("adoption: %s", report.summary())
    return report


RUN_LOCK_KEY = "osai:adoption-fetch-running"


def run_daily_fetch() -> str:
    """The daily run (beat): one at a time across workers (a cache lock, released at the end or
    after OSAI_ADOPTION_LOCK_SECONDS), so that a long run redelivered to a second worker does not
    ask the Hub twice. Returns the run's summary, or why it did not run."""
    seconds = int(_setting("OSAI_ADOPTION_LOCK_SECONDS"))
    if not cache.add(RUN_LOCK_KEY, timezone.now().isoformat(), seconds):
        return "another adoption run is under way; not started"
    try:
        return fetch_adoption().summary()
    finally:
        cache.delete(RUN_LOCK_KEY)
