"""Drivers, topic impact, loyalty and eNPS beside NPS, through the pages and queries."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cxloop.drivers import queries, services
from cxloop.drivers.models import EmployeeSurveyResult
from cxloop.lib.testing.responses import make_response
from cxloop.orgs.services import create_employee, create_unit
from cxloop.responses.models import Answer
from cxloop.surveys.models import Question
from cxloop.text import services as text

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(cast):
    """60 responses where the CSAT of the repair drives NPS much more than the e-mail channel."""
    repair = Question.objects.create(
        survey=cast.survey,
        position=3,
        kind=Question.Kind.CSAT,
        text_nl="Hoe tevreden bent u over de reparatie?",
        text_en="Repair?",
    )
    again = Question.objects.create(
        survey=cast.survey,
        position=4,
        kind=Question.Kind.SINGLE,
        text_nl="Zou u opnieuw voor ons kiezen?",
        text_en="Choose us again?",
        choices=[{"value": "ja", "nl": "Ja"}, {"value": "nee", "nl": "Nee"}],
    )
    for i in range(60):
        csat = 1 + i % 5
        email = i % 3 == 0
        nps = min(10, max(0, 2 * csat - 1 + (i % 2) - (1 if email else 0)))
        comment = (
            "Heel vriendelijk geholpen"
            if nps >= 8
            else "Ik moest drie keer bellen, slecht bereikbaar"
        )
        response = make_response(
            cast,
            employee=cast.agent,
            nps=nps,
            comment=comment,
            channel=cast.email if email else cast.phone,
            days_ago=i % 20,
        )
        Answer.objects.create(response=response, question=repair, number=csat)
        Answer.objects.create(
            response=response, question=again, values=["ja" if nps >= 7 else "nee"]
        )
        text.analyse_response(response_id=response.pk)
    return cast


def test_the_repair_question_drives_nps_more_than_the_channel(scored):
    analysis = queries.driver_analysis(
        organisation=scored.owner, since=timezone.now() - timedelta(days=90)
    )
    assert analysis.n == 60 and 0 < analysis.r_squared <= 1
    first = analysis.drivers[0]
    assert first.kind == "question" and first.direction == 1
    assert sum(d.weight for d in analysis.drivers) == pytest.approx(analysis.r_squared)
    assert sum(d.lmg for d in analysis.drivers) == pytest.approx(analysis.r_squared)
    assert {d.kind for d in analysis.drivers} >= {"question", "channel"}


def test_the_drivers_page_shows_chart_table_impact_and_loyalty(
    scored, django_assert_max_num_queries
):
    client = scored.client_for(scored.owner_admin)
    with django_assert_max_num_queries(40):
        page = client.get("/drivers/leasewijs/")
    html = page.content.decode()
    assert (
        page.status_code == 200
        and "<svg" in html
        and "Hoe tevreden bent u over de reparatie?" in html
    )
    assert "Bereikbaarheid en wachttijd" in html  # topic impact
    assert "Zou u opnieuw voor ons kiezen?" in html  # loyalty question found
    loyalty = page.context["loyalty"]
    negative = next(r for r in loyalty.rows if r.sentiment == "negative")
    assert negative.n > 0 and negative.no.score > 50
    assert scored.client_for(scored.outsider).get("/drivers/leasewijs/").status_code == 404
    assert scored.client_for(scored.agent.user).get("/drivers/leasewijs/").status_code == 404


def test_too_few_responses_say_so(cast):
    analysis = queries.driver_analysis(
        organisation=cast.owner, since=timezone.now() - timedelta(days=30)
    )
    assert analysis.drivers == [] and "Too few" in analysis.message


def _units_with_scores(cast):
    units = []
    for index, (enps, nps) in enumerate([(-20, 2), (0, 5), (20, 7), (40, 9), (60, 10)]):
        unit = create_unit(
            organisation=cast.owner,
            name=f"Team {index}",
            slug=f"team-{index}",
            parent=cast.department,
        )
        person = create_employee(
            organisation=cast.owner, unit=unit, code=f"E{index}", name=f"Medewerker {index}"
        )
        for _ in range(6):
            make_response(cast, employee=person, nps=nps, days_ago=3)
        units.append((unit, enps))
    return units


def test_employee_results_are_imported_with_errors_per_row_and_set_beside_nps(cast):
    units = _units_with_scores(cast)
    today = timezone.localdate()
    start, end = today - timedelta(days=30), today
    lines = ["unit,period_start,period_end,enps,respondents,werkdruk"]
    lines += [f"{u.slug},{start},{end},{e},10,3.5" for u, e in units]
    lines += [f"onbekend,{start},{end},10,10,3", f"team-0,gisteren,{end},10,10,3"]
    record = services.import_employee_survey(
        organisation=cast.owner, content="\n".join(lines), user=cast.owner_admin
    )
    assert record.rows == 5 and [e["line"] for e in record.errors] == [7, 8]
    assert EmployeeSurveyResult.objects.get(unit=units[2][0]).items == {"werkdruk": 3.5}
    view = queries.enps_vs_nps(organisation=cast.owner)
    assert [round(p.enps) for p in view.pairs] == [-20, 0, 20, 40, 60]
    assert view.correlation.n == 5 and view.correlation.r > 0.9
    assert (
        view.correlation.low is not None
        and view.correlation.low < view.correlation.r < view.correlation.high
    )


def test_the_employee_page_and_its_import(cast):
    units = _units_with_scores(cast)
    today = timezone.localdate()
    rows = "\n".join(
        f"{u.name};{today - timedelta(days=10)};{today};{max(e, 0)};2;{max(-e, 0) + 1}"
        for u, e in units
    )
    upload = SimpleUploadedFile(
        "enps.csv", f"unit;period_start;period_end;promoters;passives;detractors\n{rows}".encode()
    )
    admin = cast.client_for(cast.owner_admin)
    assert admin.post("/drivers/leasewijs/employees/import/", {"file": upload}).status_code == 302
    assert EmployeeSurveyResult.objects.count() == 5
    page = admin.get("/drivers/leasewijs/employees/")
    assert (
        page.status_code == 200
        and "Team 3" in page.content.decode()
        and "<svg" in page.content.decode()
    )
    assert cast.client_for(cast.outsider).get("/drivers/leasewijs/employees/").status_code == 404
    upload = SimpleUploadedFile("x.csv", b"unit,period_start,period_end,enps,respondents\n")
    assert (
        cast.client_for(cast.lead.user)
        .post("/drivers/leasewijs/employees/import/", {"file": upload})
        .status_code
        == 404
    )


def test_a_file_without_the_needed_columns_is_rejected(cast):
    with pytest.raises(services.ImportRejected):
        services.import_employee_survey(organisation=cast.owner, content="team,score\nx,1\n")
