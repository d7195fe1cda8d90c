"""A small stand-in for the Hugging Face Hub's model API, served on 127.0.0.1.

`GET /api/models/<owner>/<name>?expand=...` answers the recorded JSON of that repository (only
the expanded properties, with `id` and `_id`, as the Hub does), 404 with `X-Error-Code:
RepoNotFound` for a repository it does not hold, and 429 with `Retry-After` for the first N
requests of a repository told to be rate limited. Every request is counted per repository.

For tests and `manage.py benchmark` (point HF_ENDPOINT at `hub.url`); never used by the site.

    with FakeHub({"lab/model": {"downloads": 10, "likes": 2}}) as hub:
        ...  # hub.url, hub.requests["lab/model"]
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

PREFIX = "/api/models/"


class FakeHub:
    def __init__(
        self,
        answers: dict[str, dict],
        *,
        rate_limited: dict[str, int] | None = None,
        retry_after: float = 1,
        delay_seconds: float = 0.0,
    ):
        """`answers`: {repository id: its recorded JSON}; `rate_limited`: {repository id: how
        many first requests answer 429}; `delay_seconds`: how long each answer takes."""
        self.answers = {repo.lower(): (repo, dict(data)) for repo, data in answers.items()}
        self.rate_limited = Counter({repo.lower(): n for repo, n in (rate_limited or {}).items()})
        self.retry_after = retry_after
        self.delay_seconds = delay_seconds
        self.requests: Counter = Counter()
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The fake hub's base address (http://127.0.0.1:PORT); RuntimeError before start()."""
        if self._server is None:
            raise RuntimeError("the fake hub is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: without this, Nagle's algorithm and delayed ACKs
            # add ~40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                hub._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-hub", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        if not path.startswith(PREFIX):
            return self._send(handler, 404, {"error": "Not Found"})
        repo = path[len(PREFIX) :].strip("/")
        key = repo.lower()
        with self._lock:
            self.requests[key] += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            throttled = self.rate_limited[key] > 0
            if throttled:
                self.rate_limited[key] -= 1
        try:
            if self.delay_seconds:
                time.sleep(self.delay_seconds)
            if throttled:
                return self._send(
                    handler, 429, {"error": "Rate limit reached"}, {"Retry-After": f"{self.retry_after:g}"}
                )
            if key not in self.answers:
                return self._send(handler, 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
            name, data = self.answers[key]
            expand = parse_qs(parts.query).get("expand")
            body = {"_id": f"fake-{abs(hash(key)) % 10**12}", "id": name}
            body.update({k: v for k, v in data.items() if expand is None or k in expand})
            return self._send(handler, 200, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    @staticmethod
    def _send(handler, status: int, body: dict, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)


def synthetic_answers(count: int, *, owner: str = "bench") -> dict[str, dict]:
    """`count` made-up repositories `<owner>/model-<n>` with figures in the Hub's format."""
    return {
        f"{owner}/model-{n:05d}": {
            "downloads": (n * 7919) % 1_000_003,
            "downloadsAllTime": (n * 7919) % 1_000_003 * 12,
            "likes": n % 997,
        }
        for n in range(count)
    }
