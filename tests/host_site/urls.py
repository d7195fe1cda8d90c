"""The host site's URLconf: its own home page at /, the curation app under /index/."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def host_home(request):
    return HttpResponse("The host site's own home page", content_type="text/plain")


urlpatterns = [
    path("", host_home, name="host-home"),
    path("admin/", admin.site.urls),
    path("index/", include("curation.urls")),
]

# The app's error answers: JSON in the API's shape under its API, pages elsewhere.
handler400 = "curation.http_errors.bad_request"
handler404 = "curation.http_errors.not_found"
handler500 = "curation.http_errors.server_error"
