"""URL map of cxloop."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from cxloop.api import api
from cxloop.coaching import views as coaching
from cxloop.customers import views as customers
from cxloop.dashboards import views as dashboards
from cxloop.digest import views as digest
from cxloop.followup import settings_views as followup_settings
from cxloop.followup import views as followup
from cxloop.messaging import views as messaging
from cxloop.orgs import views as orgs
from cxloop.surveys import builder_views as builder
from cxloop.surveys import rule_views
from cxloop.surveys import views as surveys

urlpatterns = [
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the API's JSON, files).
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("cxloop/favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("", dashboards.home, name="home"),
    path("me/", dashboards.my_dashboard, name="my_dashboard"),
    path("employees/<int:pk>/", dashboards.employee_dashboard, name="employee_dashboard"),
    path("employees/<int:pk>/coaching/", coaching.add_note, name="coaching_add"),
    path("units/<int:pk>/", dashboards.unit_dashboard, name="unit_dashboard"),
    path(
        "organisations/<slug:slug>/",
        dashboards.organisation_dashboard,
        name="organisation_dashboard",
    ),
    path(
        "organisations/<slug:slug>/analysis/",
        dashboards.organisation_analysis,
        name="organisation_analysis",
    ),
    path("units/<int:pk>/analysis/", dashboards.unit_analysis, name="unit_analysis"),
    path("journeys/", dashboards.chain_dashboard, name="chain_dashboard"),
    path("journeys/<int:pk>/", dashboards.journey_dashboard, name="journey_dashboard"),
    path("journeys/<int:pk>/analysis/", dashboards.journey_analysis, name="journey_analysis"),
    path("cases/", followup.inbox, name="inbox"),
    path("cases/<int:pk>/", followup.case_detail, name="case_detail"),
    path("cases/<int:pk>/contact/", followup.contact_attempt, name="case_contact"),
    path("cases/<int:pk>/start/", followup.start, name="case_start"),
    path("cases/<int:pk>/wait/", followup.wait, name="case_wait"),
    path("cases/<int:pk>/resume/", followup.resume, name="case_resume"),
    path("cases/<int:pk>/resolve/", followup.resolve, name="case_resolve"),
    path("cases/<int:pk>/inform/", followup.inform, name="case_inform"),
    path("cases/<int:pk>/close/", followup.close, name="case_close"),
    path("cases/<int:pk>/reopen/", followup.reopen, name="case_reopen"),
    path("cases/<int:pk>/note/", followup.note, name="case_note"),
    path("cases/<int:pk>/reassign/", followup.reassign, name="case_reassign"),
    path("cases/reassign/", followup.bulk_reassign, name="inbox_reassign"),
    path("cases/kpis/", followup.kpi_page, name="case_kpis"),
    path("cases/settings/", followup_settings.settings_index, name="followup_settings_index"),
    path(
        "cases/settings/<slug:slug>/", followup_settings.settings_overview, name="followup_settings"
    ),
    path(
        "cases/settings/<slug:slug>/rules/new/",
        followup_settings.rule_edit,
        name="followup_rule_new",
    ),
    path(
        "cases/settings/<slug:slug>/rules/<int:pk>/",
        followup_settings.rule_edit,
        name="followup_rule_edit",
    ),
    path(
        "cases/settings/<slug:slug>/queues/new/",
        followup_settings.queue_edit,
        name="followup_queue_new",
    ),
    path(
        "cases/settings/<slug:slug>/queues/<int:pk>/",
        followup_settings.queue_edit,
        name="followup_queue_edit",
    ),
    path(
        "cases/settings/<slug:slug>/sla/new/", followup_settings.sla_edit, name="followup_sla_new"
    ),
    path(
        "cases/settings/<slug:slug>/sla/<int:pk>/",
        followup_settings.sla_edit,
        name="followup_sla_edit",
    ),
    path(
        "cases/settings/<slug:slug>/sla/<int:pk>/delete/",
        followup_settings.sla_delete,
        name="followup_sla_delete",
    ),
    path(
        "cases/settings/<slug:slug>/hours/", followup_settings.business_hours, name="followup_hours"
    ),
    path(
        "cases/settings/<slug:slug>/root-causes/",
        followup_settings.root_causes,
        name="followup_root_causes",
    ),
    path(
        "cases/settings/<slug:slug>/root-causes/<int:pk>/",
        followup_settings.root_cause_edit,
        name="followup_root_cause_edit",
    ),
    path(
        "cases/settings/<slug:slug>/templates/new/",
        followup_settings.template_edit,
        name="followup_template_new",
    ),
    path(
        "cases/settings/<slug:slug>/templates/<int:pk>/",
        followup_settings.template_edit,
        name="followup_template_edit",
    ),
    path(
        "cases/settings/<slug:slug>/templates/<int:pk>/delete/",
        followup_settings.template_delete,
        name="followup_template_delete",
    ),
    path("outbox/", messaging.outbox, name="outbox"),
    path("outbox/<int:pk>/", messaging.outbox_message, name="outbox_message"),
    path("surveys/", builder.survey_list, name="builder_list"),
    path("surveys/new/", builder.survey_new, name="builder_new"),
    path("surveys/<int:pk>/", builder.survey_detail, name="builder_survey"),
    path("surveys/<int:pk>/settings/", builder.survey_settings, name="builder_settings"),
    path("surveys/<int:pk>/questions/", builder.question_add, name="builder_question_add"),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/",
        builder.question_edit,
        name="builder_question_edit",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/delete/",
        builder.question_delete,
        name="builder_question_delete",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/move/",
        builder.question_move,
        name="builder_question_move",
    ),
    path("surveys/<int:pk>/draft/", builder.survey_draft, name="builder_draft"),
    path("surveys/<int:pk>/publish/", builder.survey_publish, name="builder_publish"),
    path("s/<str:token>/", surveys.survey, name="survey"),
    path("s/<str:token>/thanks/", surveys.survey_thanks, name="survey_thanks"),
    path("o/<str:token>/", customers.opt_out, name="opt_out"),
    path("customers/", customers.why_asked, name="why_asked"),
    path("customers/contact-sharing/", customers.contact_sharing, name="contact_sharing"),
    path("rules/", rule_views.rule_list, name="rule_list"),
    path("rules/new/", rule_views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", rule_views.rule_edit, name="rule_edit"),
    path("contact-policy/", rule_views.contact_policy, name="contact_policy"),
    path("digest/", digest.preferences, name="digest_preferences"),
    path("digest/stop/<str:token>/", digest.stop, name="digest_stop"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("cxloop.accounts.urls")),
    path("oidc/", include("cxloop.accounts.sso_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("process/", include("cxloop.process.urls")),
    path("text/", include("cxloop.text.urls")),
    path("drivers/", include("cxloop.drivers.urls")),
    path("privacy/", include("cxloop.privacy.urls")),
    path("organisations/<slug:slug>/structure/", orgs.structure_page, name="structure"),
    path(
        "organisations/<slug:slug>/structure/units/new/", orgs.unit_new, name="structure_unit_new"
    ),
    path(
        "organisations/<slug:slug>/structure/units/<int:pk>/",
        orgs.unit_edit,
        name="structure_unit_edit",
    ),
    path(
        "organisations/<slug:slug>/structure/units/<int:pk>/close/",
        orgs.unit_close,
        name="structure_unit_close",
    ),
    path(
        "organisations/<slug:slug>/structure/employees/", orgs.employees, name="structure_employees"
    ),
    path(
        "organisations/<slug:slug>/structure/employees/new/",
        orgs.employee_new,
        name="structure_employee_new",
    ),
    path(
        "organisations/<slug:slug>/structure/employees/<int:pk>/",
        orgs.employee_edit,
        name="structure_employee_edit",
    ),
    path(
        "organisations/<slug:slug>/structure/employees/<int:pk>/leave/",
        orgs.employee_leave,
        name="structure_employee_leave",
    ),
    path("organisations/<slug:slug>/structure/import/", orgs.import_page, name="structure_import"),
    path("people/", include("cxloop.orgs.urls")),
    path("chain/", include("cxloop.journeys.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler403 = "cxloop.lib.errors.permission_denied"
handler404 = "cxloop.lib.errors.page_not_found"
handler500 = "cxloop.lib.errors.server_error"
