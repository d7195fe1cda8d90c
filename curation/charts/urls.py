from django.urls import path, register_converter

from curation.charts import views


class ChartFormatConverter:
    regex = "svg|png|csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ChartFormatConverter, "chartformat")

app_name = "charts"

urlpatterns = [
    path("charts/", views.chart_index, name="index"),
    path("charts/<slug:key>.<chartformat:fmt>", views.chart_file, name="file"),
]
