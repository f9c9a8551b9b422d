from django.urls import path

from cxloop.drivers import views

urlpatterns = [
    path("<slug:slug>/", views.drivers_page, name="drivers_page"),
    path("<slug:slug>/employees/", views.employees_page, name="drivers_employees"),
    path("<slug:slug>/employees/import/", views.employees_import, name="drivers_employees_import"),
]
