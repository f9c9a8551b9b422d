from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "cxloop.surveys"
    label = "surveys"

    def ready(self) -> None:
        from cxloop.messaging.services import on_failure
        from cxloop.surveys.services import handle_failed_message

        on_failure("invitation", handle_failed_message)
        on_failure("reminder", handle_failed_message)
