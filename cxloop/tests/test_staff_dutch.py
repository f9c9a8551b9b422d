"""Texts staff read outside templates are Dutch by default: chart tooltips, the drivers chart,
the decision log's details (times in Europe/Amsterdam) and the clauses on the topics page."""

import pytest
from django.utils import translation

from cxloop import stats
from cxloop.dashboards import charts
from cxloop.dashboards.tables import Figure
from cxloop.drivers import charts as driver_charts
from cxloop.surveys.decision_text import shown_detail


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def test_funnel_tooltips_say_where_a_point_lies_in_dutch():
    overall = stats.NpsCounts(50, 30, 20)
    points = [charts.FunnelPoint("Bram", 200, -20), charts.FunnelPoint("Cees", 150, 70)]
    markup = charts.funnel_plot(points, overall, title="Medewerkers", what="medewerkers", min_n=5)
    assert "(onder de grenzen)</title>" in markup and "(boven de grenzen)</title>" in markup
    assert "(below)" not in markup and "(above)" not in markup


def test_heatmap_tooltips_for_hidden_and_imprecise_cells_are_dutch():
    hidden = Figure(metric="nps", score=None, n=3, hidden=True)
    imprecise = Figure(metric="nps", score=20.0, n=12, imprecise=True)
    assert "verborgen" in charts._heat_cell(hidden, 0, 0, 80, 50, 100, "Telefoon")
    assert "(onnauwkeurig)" in charts._heat_cell(imprecise, 0, 0, 80, 50, 100, "Chat")


def test_the_drivers_chart_marks_the_quadrant_in_dutch():
    markup = driver_charts.scatter(
        [driver_charts.Point("Wachttijd", 30, 40)],
        x_label="Prestatie",
        y_label="Belang",
        x_range=(0, 100),
        y_range=(0, 100),
        quadrants=(50, 20),
        quadrant_label=translation.gettext("fix first"),  # as the drivers page passes it
    )
    assert "eerst aanpakken" in markup and "fix first" not in markup


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("email at 2026-12-03 13:05 UTC", "e-mail op 3 dec 2026 14:05"),
        ("sms at 2026-07-01 08:00 UTC", "sms op 1 jul 2026 10:00"),
        ("last invitation 2026-12-03 13:05 UTC", "laatste uitnodiging 3 dec 2026 14:05"),
        ("no usable address for email/sms", "geen bruikbaar adres voor e-mail / sms"),
        ("2 invitations in 30 days", "2 uitnodigingen in 30 dagen"),
        ("sample of 25%", "steekproef van 25%"),
        ("something new", "something new"),
    ],
)
def test_decision_details_are_dutch_in_amsterdam_time(stored, shown):
    assert shown_detail(stored).lower() == shown.lower()


def test_every_model_has_translated_names():
    from django.apps import apps
    from django.utils.functional import Promise

    plain = [
        model.__name__
        for model in apps.get_models()
        if model.__module__.startswith("cxloop.")
        and not (
            isinstance(model._meta.verbose_name, Promise)
            and isinstance(model._meta.verbose_name_plural, Promise)
        )
    ]
    assert plain == []
    plain_apps = [
        config.name
        for config in apps.get_app_configs()
        if config.name.startswith("cxloop.") and not isinstance(config.verbose_name, Promise)
    ]
    assert plain_apps == []


@pytest.mark.django_db
def test_the_admin_lists_models_by_their_dutch_names(cast):
    from django.contrib.auth import get_user_model

    from cxloop.lib.testing.logins import logged_in

    admin = get_user_model().objects.create_superuser("beheer", "beheer@example.nl", "x-Geheim-123")
    html = logged_in(admin).get("/admin/").content.decode()
    assert "Casussen" in html and "Klantreizen" in html and "Uitnodigingsregels" in html
    assert "Follow up cases" not in html and "Invitation rules" not in html
    assert "Tekstanalyse" in html and "Klantreisanalyse" in html and "Followup" not in html


@pytest.mark.django_db
def test_the_invitation_rule_and_policy_forms_are_labelled_in_dutch(cast):
    from cxloop.surveys.forms import PolicyForm, RuleForm

    labels = [str(f.label) for f in RuleForm(organisation=cast.owner)]
    labels += [str(f.label) for f in PolicyForm()]
    assert "Stille uren vanaf" in labels and "Steekproef (% van de klanten)" in labels
    assert "Rustperiode in dagen" in labels
    english = {"Quiet start", "Sampling percent", "Valid days", "Is active", "Quarantine days"}
    assert not english & set(labels)
