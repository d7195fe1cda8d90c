"""Published news and guides for sitemap.xml (the public site's SITEMAPS can include it)."""
from django.contrib.sitemaps import Sitemap

from curation.models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Post.objects.public().order_by("kind", "slug").only("kind", "slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at
