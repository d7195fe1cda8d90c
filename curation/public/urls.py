from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .caching import cache_public_page
from .sitemaps import SITEMAPS

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("models/", views.model_index, name="model_index"),
    path("models/<slug:slug>/", views.model_detail, name="model_detail"),
    path("models.csv", views.models_csv, name="models_csv"),
    path("models-details.csv", views.models_details_csv, name="models_details_csv"),
    path("models.json", views.models_json, name="models_json"),
    path("organisations/", views.organisation_index, name="organisation_index"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("compare/", views.compare, name="compare"),
    path("export.zip", views.export_zip, name="export_zip"),
    path("sitemap.xml", cache_public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
