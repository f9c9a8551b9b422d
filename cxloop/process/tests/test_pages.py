"""The analysis pages over HTTP: each renders for the owner, is scoped for a partner and is 404 for outsiders."""

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cxloop.process.models import EventLog

pytestmark = pytest.mark.django_db
PAGES = ("map", "variants", "handover", "stuck", "repeats", "nps", "cases")


@pytest.fixture(autouse=True)
def english(settings):
    """The texts below are the English ones; Dutch, the default, is checked once at the end."""
    settings.LANGUAGE_CODE = "en"


def url(cast, page: str, kind: str = "journeys", pk: int | None = None) -> str:
    return f"/process/{kind}/{pk or cast.journey_type.pk}/{page}/"


@time_machine.travel("2026-04-01T12:00:00+00:00", tick=False)
def test_every_page_renders_for_the_owner_and_links_the_numbers_to_their_journeys(claims):
    client = claims.client_for(claims.owner_admin)
    for page in PAGES:
        response = client.get(url(claims, page))
        assert response.status_code == 200, page
    text = client.get(url(claims, "map")).content.decode()
    assert (
        "<svg" in text
        and "Schade melden" in text
        and "/cases/?src=Schade+melden&amp;dst=Telefoon" in text
    )
    cases = client.get(url(claims, "cases") + "?src=Schade+melden&dst=Telefoon").content.decode()
    assert "1 case where Telefoon directly follows Schade melden" in cases and "claim-1" in cases
    stuck = client.get(url(claims, "stuck")).content.decode()
    assert "claim-1" in stuck and "claim-3" in stuck and "claim-2" not in stuck


@time_machine.travel("2026-04-01T12:00:00+00:00", tick=False)
def test_hand_over_matrix_pingpong_and_nps_per_path(claims):
    client = claims.client_for(claims.owner_admin)
    text = client.get(url(claims, "handover") + "?by=organisation").content.decode()
    assert (
        "Belcentrum" in text and "?by=organisation&amp;hsrc=Leasewijs&amp;hdst=Belcentrum" in text
    )
    nps = client.get(url(claims, "nps")).content.decode()
    # The path with one answer shows its n and says why it shows no score.
    assert "n = 1" in nps and "too few answers" in nps
    drill = client.get(url(claims, "cases") + "?handovers=2").content.decode()
    assert "claim-1" in drill and "claim-2" not in drill


def test_a_partner_sees_its_part_and_outsiders_get_404(claims):
    partner = claims.client_for(claims.partner_admin).get(url(claims, "variants")).content.decode()
    assert "only your organisation's part" in partner and "2 cases, 2 events" in partner
    assert (
        '<td class="path"><span>Telefoon</span></td>' in partner
        and "<span>Schade melden</span>" not in partner
    )
    outsider = claims.client_for(claims.outsider)
    for page in PAGES:
        assert outsider.get(url(claims, page)).status_code == 404
    assert "Schade melden" not in outsider.get("/process/").content.decode()  # its own logs only
    assert claims.client_for(claims.agent.user).get(url(claims, "map")).status_code == 404


def test_pages_take_a_fixed_number_of_queries(claims, django_assert_max_num_queries):
    client = claims.client_for(claims.owner_admin)
    client.get(url(claims, "map"))  # warm the session
    # 14: the fixed part includes the admin's second-factor device, read on every request (django-otp),
    # and the menu's one question whether the admin's organisation leads a chain (issue 12).
    with django_assert_max_num_queries(14):
        assert client.get(url(claims, "nps")).status_code == 200


def test_bad_filter_values_fall_back_to_the_defaults(claims):
    client = claims.client_for(claims.owner_admin)
    bad = client.get(url(claims, "map") + "?top=-3&metric=nonsense&since=yesterday&by=cat")
    default = client.get(url(claims, "map"))
    assert bad.status_code == 200
    filters = bad.context["filters"]
    fallen_back = {name: filters.value(name) for name in ("top", "metric", "since", "until")}
    assert fallen_back == {"top": 20, "metric": "frequency", "since": None, "until": None}
    # The same map as without filters: top 20 steps, frequency, the whole period, the first resource.
    # (links keep the query as given, so only what the map draws is compared)
    drawn = [re.sub(r'href="[^"]*"', "", str(r.context["svg"])) for r in (bad, default)]
    assert drawn[0] == drawn[1]
    assert [edge for edge, _link in bad.context["edges"]] == [
        edge for edge, _link in default.context["edges"]
    ]


LOG = (
    "case:concept:name;concept:name;time:timestamp;org:resource\n"
    "c1;register;2024-01-01T09:00:00+01:00;Ann\n"
    "c1;decide;2024-01-05T09:00:00+01:00;Bob\n"
    "c1;register;2024-01-06T09:00:00+01:00;Ann\n"
    "c2;register;tomorrow;Ann\n"
    "c2;register;2024-01-02T09:00:00+01:00;Ann\n"
)


def test_upload_reads_the_log_and_shows_counts_bad_rows_and_the_analyses(
    cast, django_capture_on_commit_callbacks
):
    client = cast.client_for(cast.owner_admin)
    form = {
        "organisation": cast.owner.pk,
        "name": "Vergunningen",
        "case": "case:concept:name",
        "activity": "concept:name",
        "timestamp": "time:timestamp",
        "resource": "org:resource",
        "file": SimpleUploadedFile("permits.csv", LOG.encode()),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/process/upload/", form)
    log = EventLog.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/process/logs/{log.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert (
        "Vergunningen" in page
        and "1 bad row" in page
        and "timestamp &#x27;tomorrow&#x27; is not ISO 8601" in page
    )
    assert (log.status, log.events, log.cases, log.upload_path) == ("ready", 4, 2, "")
    for name in ("map", "variants", "handover", "stuck", "cases"):
        assert client.get(url(cast, name, "logs", log.pk)).status_code == 200
    assert "Ann" in client.get(url(cast, "handover", "logs", log.pk)).content.decode()
    stuck = client.get(url(cast, "stuck", "logs", log.pk) + "?end=decide&days=1").content.decode()
    assert "c2" in stuck  # ends with register, idle 4 days before the log's last event
    assert client.get(url(cast, "nps", "logs", log.pk)).status_code == 404
    assert (
        cast.client_for(cast.partner_admin).get(url(cast, "map", "logs", log.pk)).status_code == 404
    )
    assert cast.client_for(cast.outsider).get(f"/process/logs/{log.pk}/").status_code == 404


def test_a_log_being_read_shows_a_progress_bar_that_refreshes_itself(cast):
    log = EventLog.objects.create(
        organisation=cast.owner,
        name="Big",
        file_name="big.xes.gz",
        status="reading",
        progress=0.4,
        events=120000,
    )
    response = cast.client_for(cast.owner_admin).get(f"/process/logs/{log.pk}/")
    assert response["Refresh"] == "2"
    assert '<progress id="progress" max="100" value="40">' in response.content.decode()
    assert (
        cast.client_for(cast.owner_admin).get(url(cast, "map", "logs", log.pk)).status_code == 302
    )


def test_an_upload_that_is_no_event_log_is_refused_on_the_form(cast):
    client = cast.client_for(cast.owner_admin)
    form = {
        "organisation": cast.owner.pk,
        "case": "c",
        "activity": "a",
        "timestamp": "t",
        "file": SimpleUploadedFile("notes.docx", b"hello"),
    }
    response = client.post("/process/upload/", form)
    assert response.status_code == 200 and "not an event log" in response.content.decode()
    assert not EventLog.objects.exists()


def test_a_broken_upload_fails_with_its_reason_and_reading_twice_changes_nothing(
    cast, django_capture_on_commit_callbacks
):
    from cxloop.process import services

    client = cast.client_for(cast.owner_admin)
    form = {
        "organisation": cast.owner.pk,
        "case": "case:concept:name",
        "activity": "concept:name",
        "timestamp": "time:timestamp",
        "file": SimpleUploadedFile("broken.xes", b"<log><trace><event>"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/process/upload/", form)
    log = EventLog.objects.get()
    assert log.status == "failed" and "not well-formed" in log.error
    assert "could not be read" in client.get(f"/process/logs/{log.pk}/").content.decode()

    form["file"] = SimpleUploadedFile("permits.csv", LOG.encode())
    form["name"] = "again"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/process/upload/", form)
    again = EventLog.objects.get(name="again")
    assert services.import_uploaded_log(log_id=again.pk).events == 4
    assert again.log_events.count() == 4


def test_the_pages_speak_dutch_by_default(claims, settings):
    settings.LANGUAGE_CODE = "nl"
    text = claims.client_for(claims.owner_admin).get(url(claims, "map")).content.decode()
    assert "Proceskaart" in text and "Wachttijd voor elke stap" in text
