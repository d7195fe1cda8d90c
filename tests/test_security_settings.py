"""Production settings: no published secret key, HTTPS only (HSTS, secure HttpOnly cookies), a
Content Security Policy on every response, and `check --deploy` without a warning."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from .conftest import PROJECT_ROOT
from .test_settings import SETTINGS_VARIABLES

# The key settings.py carried before: anyone could sign preview links with it.
PUBLISHED_KEY = "insecure-local-development-key-change-me-in-production-0123456789"


def run_python(code: str, **variables) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    unset = (*SETTINGS_VARIABLES, "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(variables, DJANGO_SETTINGS_MODULE="osai_index.settings")
    return subprocess.run([sys.executable, *code], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)


def production(**extra) -> dict:
    return {
        "DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "index.example.org",
        "DATABASE_URL": "postgres://osai@db.invalid:5432/osai",
        "REDIS_URL": "redis://cache.invalid:6379/0",
        **extra,
    }


PRINT = [
    "-c",
    """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SECRET_KEY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
    "SECURE_PROXY_SSL_HEADER")} | {"csp": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]}, default=str))
""",
]


def test_without_a_secret_key_production_refuses_to_start():
    """Before: DEBUG off with no DJANGO_SECRET_KEY ran on the key published in settings.py."""
    env = production()
    del env["DJANGO_SECRET_KEY"]

    started = run_python(["manage.py", "check"], **env)

    assert started.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in started.stderr


def test_development_uses_a_key_of_its_own_never_a_published_one():
    first = json.loads(run_python(PRINT).stdout)["SECRET_KEY"]
    second = json.loads(run_python(PRINT).stdout)["SECRET_KEY"]

    assert first == second  # processes of one checkout agree (a worker verifies what the site signed)
    assert first != PUBLISHED_KEY and len(first) >= 50
    assert PUBLISHED_KEY not in (PROJECT_ROOT / "osai_index" / "settings.py").read_text()


def test_production_is_https_only_with_secure_httponly_cookies():
    found = json.loads(run_python(PRINT, **production()).stdout)

    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SESSION_COOKIE_SECURE"] and found["CSRF_COOKIE_SECURE"]
    assert found["SESSION_COOKIE_HTTPONLY"] and found["CSRF_COOKIE_HTTPONLY"]
    assert found["SECURE_PROXY_SSL_HEADER"] is None  # only trusted when a proxy is declared
    behind_proxy = json.loads(run_python(PRINT, **production(OSAI_TRUSTED_PROXIES="1")).stdout)
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_check_deploy_is_clean_with_production_settings():
    checked = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


# --- headers on the wire -----------------------------------------------------------------------

PAGES = [
    "/",
    "/models/",
    "/organisations/",
    "/compare/",
    "/charts/",
    "/news/",
    "/guides/",
    "/api/v1/",
    "/api/v1/models/",
    "/api/v1/docs/",
    "/admin/login/",
    "/models.csv",
    "/no-such-page/",
]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_a_content_security_policy(client, graded_model, url):
    response = client.get(url)

    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_iframes_are_limited_to_the_embeddable_hosts(client, settings):
    directives = csp_directives(client.get("/"))
    assert directives["frame-src"] == [f"https://{host}" for host in settings.OSAI_IFRAME_ALLOWED_HOSTS]


@pytest.mark.django_db
def test_https_responses_carry_hsts_and_secure_cookies(client, settings, people):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True

    assert client.get("/models/").status_code == 301  # plain HTTP goes to HTTPS
    login_page = client.get("/admin/login/", secure=True)
    assert login_page["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
    csrf_cookie = login_page.cookies["csrftoken"]
    assert csrf_cookie["secure"] and csrf_cookie["httponly"]

    logged_in = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "curator",
            "password": "pw-curator",
            "csrfmiddlewaretoken": csrf_cookie.value,
        },
        secure=True,
    )

    assert logged_in.status_code == 302
    session_cookie = logged_in.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"]


@pytest.mark.django_db
def test_chart_svg_files_may_not_run_scripts(client, graded_model):
    from curation.charts.publish import regenerate

    regenerate(trigger="test", render_all=True)
    response = client.get(reverse("curation:chart_file", args=["academic-share", "svg"]))

    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["default-src"] == ["'none'"] and "script-src" not in directives
