"""Speed of news and guides.

- `editorial_import_pages_s`: `import_pages` of the shared site-pages (../shared/data/site-pages)
  into a scratch database holding the shared index data (articles, pages, pictures and their
  renditions, menu, footer);
  `editorial_reimport_pages_s`: the same again (nothing changes). `editorial_import_*` figures
  are the first import's report: files skipped, unknown components, internal links checked and
  broken (in published text), pictures stored.
- `editorial_render_longest_p50_ms`: Markdown rendering and sanitising of the longest imported
  article (embeds included).
- `editorial_index_embed_p50_ms`: rendering a post whose `{% index %}` embed lists 25 of 2,000
  synthetic models (every dimension's grade shown); `editorial_index_embed_queries`: its queries.
- `editorial_post_page_p50_ms`: `GET` of a published post page through Django's middleware.
Everything runs in a scratch database; the site's own data is never touched.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curation.benchmarks import benchmark, scratch_database

SITE_PAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "site-pages"
MAIN_DATABASE = SITE_PAGES.parent / "main-database"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _p50(func, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return _ms(statistics.median(samples))


@benchmark("editorial", "News and guides: site-pages import, Markdown rendering, model-list embed, post page")
def editorial(quick: bool = False) -> dict:
    from curation.editorial import services
    from curation.editorial.importer import import_pages
    from curation.editorial.rendering import render_markdown
    from curation.models import Post, PostKind
    from curation.synthetic import populate_synthetic

    runs = 5 if quick else 30
    figures = {}
    with scratch_database():
        if SITE_PAGES.is_dir():
            if MAIN_DATABASE.is_dir():  # the pages' model lists and links name these models
                from curation.interchange import import_index
                from curation.registry import load_registry

                load_registry()
                import_index(MAIN_DATABASE)
            started = time.perf_counter()
            report = import_pages(SITE_PAGES)
            figures["editorial_import_pages_s"] = round(time.perf_counter() - started, 3)
            report_figures = report.figures()
            for name in ("files_skipped", "unknown_components", "links_checked", "broken_links", "images_created"):
                figures[f"editorial_import_{name}"] = report_figures[name]
            started = time.perf_counter()
            import_pages(SITE_PAGES)
            figures["editorial_reimport_pages_s"] = round(time.perf_counter() - started, 3)
            longest = max(Post.objects.all(), key=lambda p: len(p.body))
            figures["editorial_render_longest_chars"] = len(longest.body)
            figures["editorial_render_longest_p50_ms"] = _p50(lambda: render_markdown(longest.body, post=longest), runs)

        populate_synthetic(300 if quick else 2_000, prefix="EditorialBench")
        post = Post(
            kind=PostKind.NEWS,
            title="Benchmark post",
            body='{% byline %}\n\nIntro.\n\n{% index view="table" %}\n\nOutro.\n',
        )
        with transaction.atomic():  # the service's own callers hold a transaction
            services._save_post(post, user=None)
        post.status = "published"
        post.save(update_fields=["status"])
        figures["editorial_index_embed_p50_ms"] = _p50(lambda: render_markdown(post.body, post=post), runs)
        with CaptureQueriesContext(connection) as queries:
            render_markdown(post.body, post=post)
        figures["editorial_index_embed_queries"] = len(queries)
        client = Client()
        url = post.get_absolute_url()
        figures["editorial_post_page_p50_ms"] = _p50(lambda: client.get(url), runs)
    return figures
