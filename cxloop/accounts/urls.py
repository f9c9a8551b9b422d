from django.urls import path

from cxloop.accounts import views

urlpatterns = [
    path("", views.account, name="account"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/setup/", views.setup, name="two_factor_setup"),
    path("two-factor/verify/", views.verify, name="two_factor_verify"),
    path("two-factor/off/", views.turn_off, name="two_factor_off"),
    path("two-factor/backup-codes/", views.new_backup_codes, name="two_factor_backup_codes"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
]
