"""Who sees what, walked as a matrix: every role × every dashboard view × every organisation.

- each role gets 200 exactly where its scope reaches and 404 elsewhere (outsiders everywhere);
- nobody sees a verbatim outside their scope, on a page or in an export;
- no score of someone else rests on fewer than the anonymity minimum of answers, under every
  combination of filters (period × journey type × channel × segment, and each touchpoint).
"""

import copy
import csv
import html
import io
import itertools
import re
from dataclasses import fields, is_dataclass

import pytest
from django.contrib.auth import get_user_model

from cxloop.conftest import make_cast
from cxloop.dashboards.pages.base import Page
from cxloop.dashboards.tables import Figure, Table
from cxloop.dashboards.tests import scenario
from cxloop.dashboards.tests.conftest import english_ui
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role

pytestmark = pytest.mark.django_db
MIN_N = 5


@pytest.fixture(scope="module")
def built(module_transaction):
    """The scenario, built once for the module: each test gets a copy, and its writes roll back."""
    with module_transaction.unblock(), english_ui():
        return scenario.build(make_cast(), count=260)


@pytest.fixture
def world(db, built):
    return copy.deepcopy(built)


@pytest.fixture
def cast(world):
    return world.cast


def make_user(name: str, organisation, role) -> object:
    user = get_user_model().objects.create_user(username=name, password="x-password-123")
    grant_role(user=user, organisation=organisation, role=role)
    return user


def roles(world) -> dict[str, object]:
    cast = world.cast
    return {
        "owner_admin": cast.owner_admin,
        "journey_owner": make_user("jo", cast.owner, Role.JOURNEY_OWNER),
        "analyst": make_user("an", cast.owner, Role.ANALYST),
        "lead": cast.lead.user,
        "agent": cast.agent.user,
        "colleague": cast.colleague.user,
        "zoe": world.zoe.user,
        "partner_admin": cast.partner_admin,
        "outsider": cast.outsider,
        "nobody": get_user_model().objects.create_user(
            username="nobody", password="x-password-123"
        ),
    }


ORG_WIDE = {"owner_admin", "journey_owner", "analyst"}


def views(world) -> dict[str, object]:
    """Every dashboard URL, with who may open it (None: every logged-in user gets a page of their own)."""
    cast = world.cast
    partner_team = cast.partner_agent.unit
    jt = world.journey_types
    table = {
        "/me/": {"lead", "agent", "colleague", "zoe"},
        f"/employees/{cast.agent.pk}/": ORG_WIDE | {"lead", "agent"},
        f"/employees/{cast.colleague.pk}/": ORG_WIDE | {"lead", "colleague"},
        f"/employees/{world.zoe.pk}/": ORG_WIDE | {"zoe"},
        f"/employees/{cast.partner_agent.pk}/": {"partner_admin"},
        f"/units/{cast.department.pk}/": ORG_WIDE,
        f"/units/{cast.team.pk}/": ORG_WIDE | {"lead"},
        f"/units/{world.zuid.pk}/": ORG_WIDE,
        f"/units/{partner_team.pk}/": {"partner_admin"},
        f"/units/{cast.team.pk}/analysis/": ORG_WIDE | {"lead"},
        f"/units/{partner_team.pk}/analysis/": {"partner_admin"},
        "/organisations/leasewijs/": ORG_WIDE,
        "/organisations/belcentrum/": {"partner_admin"},
        "/organisations/elders/": {"outsider"},
        "/organisations/leasewijs/analysis/": ORG_WIDE,
        "/organisations/belcentrum/analysis/": {"partner_admin"},
        "/organisations/elders/analysis/": {"outsider"},
        "/journeys/": None,
    }
    for slug, journey_type in jt.items():
        partner = {"partner_admin"} if slug != "bestellen" else set()
        table[f"/journeys/{journey_type.pk}/"] = ORG_WIDE | partner
        table[f"/journeys/{journey_type.pk}/analysis/"] = ORG_WIDE | partner
    return table


def verbatim_scope(world, role: str):
    """Which responses' open answers a role may read."""
    cast = world.cast
    return {
        "owner_admin": lambda r: r.organisation_id == cast.owner.pk,
        "journey_owner": lambda r: r.organisation_id == cast.owner.pk,
        "analyst": lambda r: r.organisation_id == cast.owner.pk,
        "lead": lambda r: r.unit_path.startswith(cast.team.path),
        "agent": lambda r: r.employee_id == cast.agent.pk,
        "colleague": lambda r: r.employee_id == cast.colleague.pk,
        "zoe": lambda r: r.employee_id == world.zoe.pk,
        "partner_admin": lambda r: r.organisation_id == cast.partner.pk,
        "outsider": lambda r: False,
        "nobody": lambda r: False,
    }[role]


def quoted(content: str) -> set[str]:
    return {html.unescape(text) for text in re.findall(r"<q>(.*?)</q>", content, re.S)}


def figures_in(value: object, *, depth: int = 0):
    """Every Figure reachable from a page: cards, tables, extras."""
    if depth > 6:
        return
    if isinstance(value, Figure):
        yield value
    elif isinstance(value, Table):
        yield from value.figures()
    elif isinstance(value, dict):
        for item in value.values():
            yield from figures_in(item, depth=depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from figures_in(item, depth=depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from figures_in(getattr(value, f.name), depth=depth + 1)


def assert_anonymous(page: Page, *, own_page: bool, where: str, own_name: str = "") -> None:
    """No score of others with 0 < n < minimum; on one's own page only the own scores may be small,
    and in a team's table only the reader's own row."""
    own = set()
    if own_page:
        own = {id(c.figure) for c in page.cards} | {id(c.previous) for c in page.cards}
        own |= {id(f) for key in ("scores", "trend") for f in page.tables[key].figures()}
    for table in page.tables.values():
        for row in table.rows:
            if row and str(row[0]) == own_name:
                own |= {id(cell) for cell in row if isinstance(cell, Figure)}
    for figure in figures_in(page):
        if 0 < figure.n < MIN_N and id(figure) not in own:
            assert (
                figure.hidden
                and figure.score is None
                and figure.low is None
                and figure.high is None
            ), where


def test_every_role_sees_exactly_its_views_and_no_verbatim_beyond_them(world):
    people = roles(world)
    table = views(world)
    for (role, user), (url, allowed) in itertools.product(people.items(), table.items()):
        client = world.cast.client_for(user)
        response = client.get(url + "?days=365")
        if allowed is None:
            assert response.status_code == 200, (role, url)
        else:
            assert response.status_code == (200 if role in allowed else 404), (role, url)
        if response.status_code != 200:
            continue
        content = response.content.decode()
        readable = {
            r.comment for r in world.responses if r.comment and verbatim_scope(world, role)(r)
        }
        assert quoted(content) <= readable, (role, url)
        if response.context and "page" in response.context:
            assert_anonymous(
                response.context["page"],
                own_page=url == "/me/"
                or (url.startswith("/employees/") and response.context.get("own")),
                where=f"{role} {url}",
            )
            for key in response.context["page"].tables:
                export = client.get(url, {"days": 365, "format": "csv", "table": key})
                assert export.status_code == 200
                text = export.content.decode()
                for r in world.responses:
                    if r.comment and not verbatim_scope(world, role)(r):
                        assert f",{r.comment}," not in text and f",'{r.comment}," not in text, (
                            role,
                            url,
                            key,
                        )


def test_exports_and_pages_of_others_answer_404_for_outsiders(world):
    outsider = world.cast.client_for(world.cast.outsider)
    for url, allowed in views(world).items():
        if allowed is None or "outsider" in allowed:
            continue
        assert outsider.get(url, {"format": "csv", "table": "scores"}).status_code == 404, url
        assert outsider.get(url, {"format": "xlsx", "table": "units"}).status_code == 404, url
    chain = outsider.get("/journeys/")
    assert chain.status_code == 200 and "Leasewijs" not in chain.content.decode()


def test_the_partner_never_sees_another_partners_part_unless_the_agreement_says_all(world):
    cast = world.cast
    page = cast.client_for(cast.partner_admin).get("/journeys/?days=365").context["page"]
    for row in page.tables["parts"].rows:
        assert row[1] == "Belcentrum" or row[0] == "Opzeggen", row
    for slug in ("schade-melden", "klacht"):
        overview = cast.client_for(cast.partner_admin).get(
            f"/journeys/{world.journey_types[slug].pk}/?days=365"
        )
        assert {row[0] for row in overview.context["page"].tables["parts"].rows} <= {"Belcentrum"}
        assert "Leasewijs" not in re.sub(
            r"<nav.*?</nav>", "", overview.content.decode(), flags=re.S
        )


def combinations(world):
    cast = world.cast
    journey_types = [None] + [j.pk for j in world.journey_types.values()]
    channels = [None] + [c.pk for c in world.channels.values()]
    # Every journey type × channel × segment over a year; the narrower month for journey type × segment.
    month = itertools.product((30,), journey_types, (None,), (None, "zakelijk", "particulier"))
    year = itertools.product((365,), journey_types, channels, (None, "zakelijk", "particulier"))
    for days, journey_type, channel, segment in itertools.chain(year, month):
        params = {"days": days}
        for key, value in (
            ("journey_type", journey_type),
            ("channel", channel),
            ("segment", segment),
        ):
            if value:
                params[key] = value
        yield params
    for touchpoints in world.touchpoints.values():
        for touchpoint in touchpoints:
            yield {
                "days": 365,
                "touchpoint": touchpoint.pk,
                "journey_type": touchpoint.journey_type_id,
            }
    yield {"since": "2020-01-01", "until": "2020-01-31", "channel": cast.phone.pk}


def anonymity_pages(world) -> list[tuple[object, str, bool]]:
    cast = world.cast
    return [
        (cast.lead.user, f"/units/{cast.team.pk}/", False),
        (cast.lead.user, f"/employees/{cast.colleague.pk}/", False),
        (cast.agent.user, "/me/", True),
        (cast.owner_admin, "/organisations/leasewijs/", False),
        (cast.owner_admin, "/organisations/leasewijs/analysis/", False),
        (cast.lead.user, f"/units/{cast.team.pk}/analysis/", False),
        (cast.partner_admin, "/journeys/", False),
        (cast.partner_admin, f"/journeys/{world.journey_types['opzeggen'].pk}/", False),
        (cast.partner_admin, f"/journeys/{world.journey_types['klacht'].pk}/analysis/", False),
    ]


@pytest.fixture
def contexts(monkeypatch):
    """The views run whole (access, filters from the URL, reads, page building) but skip the HTML, so
    that every combination can be walked quickly; the HTML itself is checked on a sample below."""
    from django.http import HttpResponse

    from cxloop.dashboards import views as dashboard_views

    captured = []

    def render(request, template, context=None, *args, **kwargs):
        captured.append(context)
        return HttpResponse("")

    monkeypatch.setattr(dashboard_views, "render", render)
    return captured


def own_name(user) -> str:
    employee = getattr(user, "employee", None)
    return employee.name if employee else ""


def test_the_anonymity_minimum_holds_under_every_filter_combination(world, contexts):
    cast = world.cast
    pages = anonymity_pages(world)
    clients = {user.pk: cast.client_for(user) for user, _url, _own in pages}
    hidden_seen = walked = 0
    for params in combinations(world):
        for user, url, own in pages:
            assert clients[user.pk].get(url, params).status_code == 200, (url, params)
            page = contexts[-1]["page"]
            where = f"{url} {params}"
            assert_anonymous(page, own_page=own, where=where, own_name=own_name(user))
            hidden_seen += sum(1 for f in figures_in(page) if f.hidden)
            walked += 1
    assert walked > 800 and hidden_seen > 100  # the filters did produce small groups to hide


def test_hidden_scores_do_not_reach_the_html(world):
    """On rendered pages under narrow filters: a hidden figure prints its n and no number of its own."""
    cast = world.cast
    for params in itertools.islice(combinations(world), 0, None, 23):
        for user, url, own in anonymity_pages(world):
            response = cast.client_for(user).get(url, params)
            content = response.content.decode()
            assert_anonymous(
                response.context["page"],
                own_page=own,
                where=f"{url} {params}",
                own_name=own_name(user),
            )
            for hidden in re.findall(
                r'<span class="score hidden"[^>]*>(.*?)</span></span>', content, re.S
            ):
                # "— n = 3" (below the minimum), or "—" and words without a number (not shown for
                # units and employees under filters)
                text = re.sub(r"<[^>]+>", "", hidden)
                assert text.split("n =")[0].strip() == "—" or not re.search(r"\d", text)


def test_a_hidden_score_is_an_empty_cell_in_the_export(world):
    cast = world.cast
    client = cast.client_for(cast.lead.user)
    response = client.get(
        f"/units/{cast.team.pk}/",
        {"days": 30, "segment": "zakelijk", "format": "csv", "table": "members"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    nps, n, note = header.index("NPS"), header.index("NPS n"), header.index("NPS note")
    others = [row for row in rows[1:] if row[0] != cast.lead.name]  # the lead's own row is hers
    for row in others:
        # Under a segment filter no employee's score is shown to others, not even its n.
        assert row[nps] == "" and row[n] == "" and "not shown" in row[note]
    plain = client.get(f"/units/{cast.team.pk}/", {"days": 30, "format": "csv", "table": "members"})
    for row in list(csv.reader(io.StringIO(plain.content.decode())))[1:]:
        if row[0] != cast.lead.name and row[n] and 0 < int(row[n]) < MIN_N:
            assert row[nps] == "" and "hidden" in row[note]
