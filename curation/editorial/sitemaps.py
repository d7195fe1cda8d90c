"""Published news, guides and fixed pages for sitemap.xml (the public site's SITEMAPS can include
it). The editors' home page is the site's home, which the static pages' sitemap lists."""

from django.contrib.sitemaps import Sitemap

from curation.models import HOME_PAGE_SLUG, Post, PostKind


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return (
            Post.objects.public()
            .exclude(kind=PostKind.PAGE, slug=HOME_PAGE_SLUG)
            .order_by("kind", "slug")
            .only("kind", "slug", "updated_at")
        )

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at
