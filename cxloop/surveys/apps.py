from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "cxloop.surveys"
    verbose_name = _("Surveys")
    label = "surveys"

    def ready(self) -> None:
        from cxloop.messaging.links import register_link
        from cxloop.messaging.services import on_failure
        from cxloop.surveys.services import handle_failed_message, opt_out_link_for, survey_link_for

        on_failure("invitation", handle_failed_message)
        on_failure("reminder", handle_failed_message)
        # Messages store markers for these links; the delivery worker makes them when it sends.
        register_link("survey", make=survey_link_for, label=_("survey link"))
        register_link("opt_out", make=opt_out_link_for, label=_("opt-out link"))
