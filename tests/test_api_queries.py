"""List pages cost a fixed number of queries whatever the size of the index (20 vs 2,000)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from curation.datachanges import DATA_VERSION_CACHE_KEY
from curation.synthetic import populate_synthetic

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/api/v1/models/?page_size=100",
    "/api/v1/models/?page_size=100&ordering=category_access&type=text",
    "/api/v1/models/?page_size=100&ordering=-released&grade_licenses=open&grade_licenses=partial",
    "/api/v1/organisations/?page_size=100",
    "/api/v1/organisations/?page_size=100&ordering=-openness",
]


def _queries_and_items(url):
    from curation.public.caching import retire_cached_pages

    cache.delete(DATA_VERSION_CACHE_KEY)
    retire_cached_pages()  # the uncached answer (anonymous answers are kept whole otherwise)
    api = APIClient()
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    page = response.json()
    # Follow to the second page too: cursors must not cost more than the first page.
    with CaptureQueriesContext(connection) as second:
        if page["next"]:
            assert api.get(page["next"]).status_code == 200
    return len(captured), len(second), len(page["results"])


@pytest.mark.slow
def test_list_queries_do_not_grow_with_the_index():
    populate_synthetic(20, prefix="Small")
    small = {url: _queries_and_items(url) for url in LIST_URLS}
    populate_synthetic(1980, prefix="Large", seed=11)
    large = {url: _queries_and_items(url) for url in LIST_URLS}

    for url in LIST_URLS:
        print(url, "20 models:", small[url], "2,000 models:", large[url])
        small_queries, _, small_items = small[url]
        large_queries, large_next, large_items = large[url]
        assert large_items > small_items or large_items == 100, url
        assert large_queries == small_queries, (url, small_queries, large_queries)
        assert large_next <= large_queries, url
        assert large_queries <= 8, (url, large_queries)


def _count_queries(api, url):
    api.get(url)  # the user's permissions are cached on the user at the first request
    cache.delete(DATA_VERSION_CACHE_KEY)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


def test_queue_and_posts_queries_do_not_grow_with_their_length(make_ai_model, django_user_model):
    from django.contrib.auth.models import Group

    from curation import roles
    from curation.models import Post, PostStatus, PostTag
    from curation.review import services

    roles.ensure_roles()
    curator = django_user_model.objects.create_user("counting-curator")
    curator.groups.add(Group.objects.get(name=roles.CURATOR))
    api = APIClient()
    api.force_authenticate(curator)
    tag = PostTag.objects.create(name="Openness", slug="openness")

    def grow(start, stop):
        for i in range(start, stop):
            model = make_ai_model(f"Queued {i}")
            proposal = services.propose(model, "performance_class", "latest", user=curator, rationale=f"#{i}")
            if i % 2:
                services.withdraw(proposal, curator, "second thoughts")  # more events per request
            post = Post.objects.create(
                kind="news", slug=f"post-{i}", title=f"Post {i}", status=PostStatus.PUBLISHED, author_names="Editor"
            )
            post.tags.add(tag)
            post.authors.add(curator)

    grow(0, 2)
    few = (
        _count_queries(api, "/api/v1/change-requests/?page_size=100"),
        _count_queries(api, "/api/v1/posts/?page_size=100"),
    )
    grow(2, 14)
    many = (
        _count_queries(api, "/api/v1/change-requests/?page_size=100"),
        _count_queries(api, "/api/v1/posts/?page_size=100"),
    )

    assert [items for _, items in few] == [2, 2] and [items for _, items in many] == [14, 14]
    assert [queries for queries, _ in many] == [queries for queries, _ in few]
