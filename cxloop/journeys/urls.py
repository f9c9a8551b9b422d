from django.urls import path

from cxloop.journeys import views

app_name = "chain"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/journey-types/new/", views.journey_type_edit, name="journey_type_new"),
    path("<slug:slug>/journey-types/<int:pk>/", views.journey_type_edit, name="journey_type"),
    path("<slug:slug>/journey-types/<int:pk>/agreements/", views.agreement, name="agreement"),
    path(
        "<slug:slug>/journey-types/<int:pk>/touchpoints/new/",
        views.touchpoint_new,
        name="touchpoint_new",
    ),
    path("<slug:slug>/touchpoints/<int:pk>/", views.touchpoint_edit, name="touchpoint"),
    path("<slug:slug>/channels/new/", views.channel_edit, name="channel_new"),
    path("<slug:slug>/channels/<int:pk>/", views.channel_edit, name="channel"),
    path("<slug:slug>/partners/new/", views.partner_new, name="partner_new"),
]
