from django.urls import path

from cxloop.orgs import people_views as views

app_name = "people"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.people_list, name="list"),
    path("<slug:slug>/invite/", views.invite, name="invite"),
    path("<slug:slug>/<int:pk>/", views.person, name="person"),
    path("<slug:slug>/<int:pk>/grant/", views.grant, name="grant"),
    path("<slug:slug>/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<slug:slug>/<int:pk>/password/", views.password, name="password"),
    path("<slug:slug>/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<slug:slug>/<int:pk>/reactivate/", views.reactivate, name="reactivate"),
]
