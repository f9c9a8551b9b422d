"""What a form on a settings page accepts, posted as a browser would: a start for tests that change one field."""

# A follow-up rule (followup/forms.py) and an organisation's business hours.
RULE = {
    "name": "Opzeggers",
    "position": 1,
    "is_active": "on",
    "nps_max": "",
    "nps_min": "",
    "csat_max": "",
    "ces_min": "",
    "keywords": "opzeggen\n klacht \n\n",
    "journey_type": "",
    "channel": "",
    "segment": "",
    "action": "open_case",
    "priority": "high",
    "owner": "unit_lead",
    "queue": "",
}


HOURS = {
    "day_0": "08:30-12:00, 13:00-17:30",
    "day_1": "8:30-17:30",
    "day_2": "08:30 – 17:30",
    "day_3": "08:30-17:30",
    "day_4": "08:30-16:00",
    "day_5": "",
    "day_6": "",
    "closed_on_public_holidays": "on",
    "max_failed_attempts": "2",
    "remind_before_hours": "3",
}


def rule_data(cast, **overrides) -> dict:
    """An invitation rule for the cast's journey type and survey, with `overrides`."""
    data = {
        "journey_type": cast.journey_type.pk,
        "touchpoint": "",
        "survey": cast.survey.pk,
        "trigger": "journey_end",
        "inactivity_hours": 48,
        "delay_minutes": 30,
        "sampling_percent": 50,
        "channel": "sms",
        "fallback_channel": "email",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "valid_days": 7,
        "reminder_after_days": 3,
        "is_active": "on",
    }
    data.update(overrides)
    return data
