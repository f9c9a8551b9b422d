"""URLs of journey analysis, mounted under /process/."""

from django.urls import path, re_path

from cxloop.process import views

app_name = "process"
SOURCE = r"^(?P<kind>journeys|logs)/(?P<pk>[0-9]+)/"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("logs/<int:pk>/", views.log_detail, name="log"),
    path("logs/<int:pk>/delete/", views.log_delete, name="log_delete"),
    re_path(SOURCE + r"map/$", views.process_map, name="map"),
    re_path(SOURCE + r"variants/$", views.variants, name="variants"),
    re_path(SOURCE + r"handover/$", views.handover, name="handover"),
    re_path(SOURCE + r"stuck/$", views.stuck, name="stuck"),
    re_path(SOURCE + r"repeats/$", views.repeats, name="repeats"),
    re_path(SOURCE + r"nps/$", views.nps, name="nps"),
    re_path(SOURCE + r"cases/$", views.cases, name="cases"),
]
