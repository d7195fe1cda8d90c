from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from . import corrections, data, dimensions, old_links, releases, reuse, theme, views
from .caching import cache_public_page
from .sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("models/", views.model_index, name="model_index"),
    # Before the model pages: it would read as a model's address.
    path("models/not-included/", corrections.not_included_list, name="not_included"),
    path("models/<slug:slug>/", views.model_detail, name="model_detail"),
    path("models/<slug:slug>/suggest/", corrections.suggest_correction, name="suggest_correction"),
    path("models/<slug:slug>/suggest/sent/", corrections.suggestion_sent, name="suggestion_sent"),
    path("dimensions/", dimensions.dimension_index, name="dimension_index"),
    path("dimensions/<slug:ref>/", dimensions.dimension_detail, name="dimension_detail"),
    path("models/<slug:slug>/card.png", views.model_card, name="model_card"),
    path("share/site.png", views.site_card, name="site_card"),
    path("models/<slug:slug>/badge.svg", reuse.model_badge, name="model_badge"),
    path("embed/chart/<slug:key>/", reuse.chart_embed, name="chart_embed"),
    path("embed/index/", reuse.index_embed, name="index_embed"),
    re_path(r"^citation\.(?P<fmt>bib|ris|json)$", reuse.index_citation, name="index_citation"),
    re_path(r"^models/(?P<slug>[-\w]+)/citation\.(?P<fmt>bib|ris|json)$", reuse.model_citation, name="model_citation"),
    path("models.csv", views.models_csv, name="models_csv"),
    path("models-details.csv", views.models_details_csv, name="models_details_csv"),
    path("models.json", views.models_json, name="models_json"),
    path("releases/", releases.release_list, name="release_list"),
    path("releases/<slug:slug>/", releases.release_detail, name="release_detail"),
    re_path(
        r"^releases/(?P<slug>[-\w]+)/citation\.(?P<fmt>bib|ris|json)$",
        releases.release_citation,
        name="release_citation",
    ),
    path("releases/<slug:slug>/datapackage.json", releases.release_datapackage, name="release_datapackage"),
    path("releases/<slug:slug>/schemas/<slug:name>.json", releases.release_schema, name="release_schema"),
    re_path(
        r"^releases/(?P<slug>[-\w]+)/(?P<filename>[-\w]+\.(?:csv|json|zip))$",
        releases.release_file,
        name="release_file",
    ),
    path("data/", data.data_index, name="data_index"),
    path("data/datapackage.json", data.datapackage_json, name="datapackage"),
    path("data/schemas/<slug:name>.json", data.table_schema, name="table_schema"),
    path("data/grades.csv", data.grades_csv, name="grades_csv"),
    path("data/organisations.csv", data.organisations_csv, name="organisations_csv"),
    path("data/vocabularies.csv", data.vocabularies_csv, name="vocabularies_csv"),
    path("data/codebook/", data.codebook, name="codebook"),
    path("organisations/", views.organisation_index, name="organisation_index"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("compare/", views.compare, name="compare"),
    path("export.zip", views.export_zip, name="export_zip"),
    # Addresses of the upstream site (osai-index.eu), redirected for good.
    re_path(r"^model/(?P<name>[^/]+)/?$", old_links.old_model, name="old_model"),
    path("database", old_links.old_index, name="old_database"),
    path("the-index", old_links.old_index, name="old_the_index"),
    path("the-index/", old_links.old_index),
    path("compare", old_links.old_compare, name="old_compare"),
    path("favicon.ico", old_links.favicon, name="favicon"),
    path("robots.txt", old_links.robots_txt, name="robots_txt"),
    path("theme/", theme.set_theme, name="theme"),
    path("sitemap.xml", cache_public_page(sitemap, params=("p",)), {"sitemaps": SITEMAPS}, name="sitemap"),
]
