"""The Content Security Policy blocks nothing the site itself uses (Debian's chromium).

Every page a reader, a curator or an API user opens is loaded in a real browser that reports each
CSP violation; none may occur, so the policy can stay strict (no inline script) without breaking
the index's script, the admin or the browsable API.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collected in the page: every violation the browser reports, with the directive and the source.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@pytest.fixture
def site(make_ai_model, people, settings):
    from curation.charts.publish import regenerate

    settings.MEDIA_ROOT = settings.BASE_DIR / "test-artifacts" / "csp-media"
    model = make_ai_model("Policy Model", link="https://example.org/policy")
    regenerate(trigger="test", render_all=True)
    return model


@pytest.fixture
def people(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.contrib.auth.models import User

    User.objects.create_superuser("admin", "admin@example.org", "pw-admin")


def test_no_page_violates_the_content_security_policy(live_server, site, chromium):
    context = chromium.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = {}

    def visit(path):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        found = page.evaluate("window.__cspViolations")
        if found:
            violations[path] = found

    for path in (
        "/",
        "/models/",
        "/models/?view=grid",
        f"/models/{site.slug}/",
        "/organisations/",
        "/compare/",
        "/charts/",
        "/news/",
        "/api/v1/docs/",
        "/api/v1/models/?format=api",
        "/no-such-page/",
    ):
        visit(path)
    # The index's script runs: the filter form submits itself when a filter changes.
    page.goto(live_server.url + "/models/")
    assert page.evaluate("window.__cspViolations") == []

    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in (
        "/admin/",
        "/admin/curation/aimodel/",
        f"/admin/curation/aimodel/{site.pk}/change/",
        "/admin/curation/aimodel/add/",
        "/admin/curation/changerequest/",
    ):
        visit(path)
    context.close()

    assert violations == {}
