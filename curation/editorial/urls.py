from django.urls import path

from curation.models import PostKind

from . import views

urlpatterns = [
    path("news/", views.post_list, {"kind": PostKind.NEWS}, name="news-list"),
    path("news/<slug:slug>/", views.post_detail, {"kind": PostKind.NEWS}, name="news-detail"),
    path("guides/", views.post_list, {"kind": PostKind.GUIDE}, name="guide-list"),
    path("guides/<slug:slug>/", views.post_detail, {"kind": PostKind.GUIDE}, name="guide-detail"),
    path("feeds/news.xml", views.NewsFeed(), name="feed-news"),
    path("feeds/guides.xml", views.GuidesFeed(), name="feed-guides"),
    path("preview/<str:token>/", views.shared_preview, name="shared-preview"),
    path("images/<str:name>", views.image_file, name="image"),
    path("images/<int:width>/<str:name>", views.image_file, name="image-rendition"),
    # Fixed pages at /<slug>/: last, so that every other address of the site wins.
    path("<slug:slug>/", views.page_detail, name="page"),
]
