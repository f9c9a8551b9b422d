from django.urls import path

from cxloop.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/customers/<int:pk>/", views.customer_page, name="customer"),
    path(
        "<slug:slug>/customers/<int:pk>/export.json",
        views.customer_download,
        name="customer_download",
    ),
    path("<slug:slug>/customers/<int:pk>/erase/", views.customer_erase, name="customer_erase"),
    path("<slug:slug>/receipts/", views.receipt_list, name="receipts"),
    path("<slug:slug>/receipts/<int:pk>/", views.receipt_detail, name="receipt"),
    path("<slug:slug>/retention/", views.retention, name="retention"),
    path("<slug:slug>/audit/", views.audit_log, name="audit"),
]
