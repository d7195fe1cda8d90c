"""sitemap.xml: the public pages readers and search engines should find."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from curation.editorial.sitemaps import PostSitemap
from curation.models import AIModel, Dimension, Organisation


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return [
            "curation:home",
            "curation:model_index",
            "curation:organisation_index",
            "curation:compare",
            "curation:dimension_index",
            "curation:not_included",
            "curation:chart_index",
            "curation:news-list",
            "curation:guide-list",
        ]

    def location(self, item):
        return reverse(item)


class AIModelSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 5000

    def items(self):
        return AIModel.objects.public().order_by("slug").only("slug", "updated_at")

    def location(self, item):
        return reverse("curation:model_detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class OrganisationSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5
    limit = 5000

    def items(self):
        return Organisation.objects.public().order_by("slug").only("slug", "updated_at")

    def location(self, item):
        return reverse("curation:organisation_detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class DimensionSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Dimension.objects.filter(is_active=True).order_by("ref").only("ref")

    def location(self, item):
        return reverse("curation:dimension_detail", args=[item.ref])


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "models": AIModelSitemap,
    "organisations": OrganisationSitemap,
    "dimensions": DimensionSitemap,
    "posts": PostSitemap,
}
