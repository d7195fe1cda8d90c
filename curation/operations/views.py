"""`/healthz` and `/readyz` for load balancers and process managers (JSON, never cached).

- `/healthz`: 200 `{"status": "ok"}` while the process answers at all.
- `/readyz`: 200 when the database, Redis and a worker are all fine, else 503; the body names
  each check: `{"status": "ready"|"unavailable", "checks": {"database": {"ok", "detail", "ms"},
  "redis": {...}, "worker": {...}}}`.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from curation.operations.health import readiness


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    ready, checks = readiness()
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": {name: c.as_dict() for name, c in checks.items()}},
        status=200 if ready else 503,
    )
