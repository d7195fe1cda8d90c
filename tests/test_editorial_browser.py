"""The XSS corpus in a real browser: posts full of payloads (in the body, in front matter and in
embed parameters) are opened in Debian's chromium through Playwright; nothing may execute.

Every payload tries to set `window.__xss` or open a dialog. The test listens for dialogs, reads
the flag, looks for event-handler attributes and `javascript:` URLs in the live DOM, and fires
the events the payloads rely on (load, error, mouseover, focus, toggle, click).
"""

from __future__ import annotations

import pytest

from curation.editorial import services
from curation.editorial.importer import import_pages
from curation.models import Post, PostKind
from tests.conftest import save_screenshot
from tests.test_editorial_rendering import XSS_CORPUS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


EMBED_PAYLOADS = [
    '{% chart "<img src=x onerror=window.__xss=1>" %}',
    '{% chart key="\\"><script>window.__xss=1</script>" %}',
    '{% index models="<script>window.__xss=1</script>" %}',
    '{% index view="\\"><svg onload=window.__xss=1>" %}',
    '{% index type="<img src=x onerror=alert(1)>" %}',
    "{% <img src=x onerror=alert(1)> %}",
]
HOSTILE_FRONT_MATTER = """---
title: "<script>window.__xss=1</script>Hostile <img src=x onerror=alert(1)>"
description: "\\"><svg onload=window.__xss=1>"
author: "<img src=x onerror=window.__xss=1>"
date: 2025-01-01
status: published
---
<author :author="author"></author>
<date :date="date"></date>

::the-index
---
hideFilters: true
filters:
  view: grid
  models: "<script>window.__xss=1</script>"
---
::
"""

DOM_PROBLEMS_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) found.push(el.tagName + ' ' + attr.name);
      if (/^\\s*(javascript|data|vbscript):/i.test(attr.value) && ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background'].includes(attr.name))
        found.push(el.tagName + ' ' + attr.name + '=' + attr.value);
      if (attr.name === 'srcdoc') found.push(el.tagName + ' srcdoc');
    }
  }
  for (const s of document.querySelectorAll('main script, main svg, main iframe, main object, main embed, main form'))
    found.push('element ' + s.tagName);
  return found;
}"""

FIRE_EVENTS_JS = """() => {
  for (const el of document.querySelectorAll('main *')) {
    for (const type of ['mouseover', 'focus', 'toggle', 'error', 'load'])
      el.dispatchEvent(new Event(type));
  }
  for (const d of document.querySelectorAll('details')) d.open = !d.open;
}"""


def _visit(context, url: str, name: str) -> dict:
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url, wait_until="load")
    page.evaluate(FIRE_EVENTS_JS)
    for link in page.query_selector_all("main a[href^='#']")[:20]:
        link.click()
    page.wait_for_timeout(100)
    save_screenshot(page, f"editorial-xss-{name}")
    result = {
        "status": response.status,
        "flag": page.evaluate("() => window.__xss === undefined ? null : window.__xss"),
        "dialogs": dialogs,
        "dom": page.evaluate(DOM_PROBLEMS_JS),
        "text": page.inner_text("main"),
    }
    page.close()
    return result


def test_xss_corpus_never_executes_in_chromium(chromium, live_server, make_post, editor, role_users, tmp_path, client):
    # Payloads with unclosed elements (the <math> one) legitimately swallow what follows them,
    # so they go last, after the marker that proves the rest of the post was rendered.
    contained = [p for p in XSS_CORPUS if not p.startswith("<math")]
    swallowing = [p for p in XSS_CORPUS if p.startswith("<math")]
    body = "\n\n".join(["{% byline %}", *contained, *EMBED_PAYLOADS, "The end of the hostile post.", *swallowing])
    hostile = make_post(
        "<script>window.__xss=1</script>Body payloads",
        body="{% byline %}",
        description='"><img src=x onerror=window.__xss=1>',
        author_names="<svg onload=alert(1)>",
        tags=["<script>alert(1)</script>"],
    )
    services.publish(hostile, user=editor)
    # Its broken embeds would stop an editor from publishing it; imported content can hold them.
    Post.objects.filter(pk=hostile.pk).update(body=body)
    hostile.refresh_from_db()
    draft = make_post("Hostile draft", body=body)

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "hostile-front-matter.md").write_text(HOSTILE_FRONT_MATTER)
    report = import_pages(tmp_path)
    assert report.skipped == [] and report.published == ["news/hostile-front-matter"]
    imported = Post.objects.get(kind=PostKind.NEWS, slug="hostile-front-matter")

    client.force_login(role_users["superuser"])
    context = chromium.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    pages = {
        "public-post": hostile.get_absolute_url(),
        "imported-post": imported.get_absolute_url(),
        "news-list": "/news/",
        "admin-preview": f"/admin/curation/post/{draft.pk}/preview/",
        "shared-preview": f"/preview/{services.make_preview_token(draft)}/",
    }
    results = {name: _visit(context, live_server.url + path, name) for name, path in pages.items()}
    context.close()

    for name, result in results.items():
        assert result["status"] == 200, name
        assert result["flag"] is None, (name, result["flag"])
        assert result["dialogs"] == [], (name, result["dialogs"])
        assert result["dom"] == [], (name, result["dom"])
    # The pages did render the content (as text), so the test looked at real output.
    assert "The end of the hostile post." in results["public-post"]["text"]
    assert "<script>window.__xss=1</script>Body payloads" in results["public-post"]["text"]
    assert "<script>window.__xss=1</script>Hostile" in results["imported-post"]["text"]
    # Editors see the broken embeds reported in preview, with the payload shown as text.
    assert "unknown chart key '<img src=x onerror=window.__xss=1>'" in results["admin-preview"]["text"]


def test_editor_edits_the_body_clicks_publish_and_readers_see_the_edit(
    chromium, live_server, make_post, editor, client
):
    post = make_post("Browser edited", body="The body as first saved.")
    client.force_login(editor)
    context = chromium.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/curation/post/{post.pk}/change/")
    page.fill("#id_body", "The body as **edited in the browser**, never saved before clicking Publish.")
    page.fill("#id_workflow_comment", "Straight to readers")
    save_screenshot(page, "editorial-publish-before-click")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_load_state("load")
    assert "“Browser edited” is now published." in page.inner_text("body")
    save_screenshot(page, "editorial-publish-after-click")

    public = context.new_page()
    public.goto(live_server.url + post.get_absolute_url())
    article = public.inner_text("article")
    assert "The body as edited in the browser, never saved before clicking Publish." in article
    assert "first saved" not in article
    assert public.inner_html("article").count("<strong>edited in the browser</strong>") == 1
    context.close()
    post.refresh_from_db()
    assert post.status == "published" and post.status_changes.first().comment == "Straight to readers"
