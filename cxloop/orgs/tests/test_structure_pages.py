"""The organisation admin's structure pages and HR import, through HTTP: the unit tree (add,
rename, move with its history, close), employees (add, move, leave) and a file that is first a
dry run and then applied."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from cxloop.audit.models import AuditEntry
from cxloop.dashboards.models import DailyScore
from cxloop.lib.testing.responses import make_responses
from cxloop.orgs.models import Employee, Unit
from cxloop.responses.models import Response

pytestmark = pytest.mark.django_db


def url(name: str, cast, *args) -> str:
    return reverse(name, args=[cast.owner.slug, *args])


def table(page) -> str:
    """The rows of the page's table (not the messages above it)."""
    return page.content.decode().split("<tbody>", 1)[1]


@pytest.fixture
def olivia(cast):
    return cast.client_for(cast.owner_admin)


def test_the_admin_adds_a_unit_and_sees_the_tree(cast, olivia):
    page = olivia.get(url("structure", cast))
    assert page.status_code == 200
    assert "Team Noord" in page.content.decode() and "Klantenservice" in page.content.decode()
    added = olivia.post(
        url("structure_unit_new", cast),
        {"name": "Team Zuid", "code": "", "kind": "team", "parent": cast.department.pk},
    )
    assert added.status_code == 302
    unit = Unit.objects.get(organisation=cast.owner, slug="team-zuid")
    assert unit.parent == cast.department and unit.path == f"{cast.department.path}{unit.pk}/"
    assert AuditEntry.objects.filter(action="unit.created", user=cast.owner_admin).exists()
    taken = olivia.post(
        url("structure_unit_new", cast), {"name": "Team Noord", "kind": "team", "parent": ""}
    )
    assert (
        taken.status_code == 422
        and "Een andere eenheid heeft deze code al" in taken.content.decode()
    )


def test_a_moved_unit_takes_its_history_along_and_cannot_move_under_itself(cast, olivia):
    make_responses(cast, [9, 10, 3], employee=cast.agent)  # answers in Team Noord
    olivia.post(
        url("structure_unit_new", cast),
        {"name": "Wagenpark", "code": "wagenpark", "kind": "department", "parent": ""},
    )
    wagenpark = Unit.objects.get(organisation=cast.owner, slug="wagenpark")
    moved = olivia.post(
        url("structure_unit_edit", cast, cast.team.pk),
        {"name": "Team Noord (Groningen)", "kind": "team", "parent": wagenpark.pk},
    )
    assert moved.status_code == 302
    team = Unit.objects.get(pk=cast.team.pk)
    assert team.name == "Team Noord (Groningen)" and team.path == f"{wagenpark.path}{team.pk}/"
    assert Response.objects.filter(unit_path__startswith=wagenpark.path).count() == 3
    rolled = DailyScore.objects.filter(unit_path__startswith=wagenpark.path)
    assert sum(r.promoters + r.passives + r.detractors for r in rolled) == 3
    assert not DailyScore.objects.filter(unit_path__startswith=cast.department.path).exists()
    assert AuditEntry.objects.filter(action="unit.changed", user=cast.owner_admin).exists()
    # Its own subtree is not offered as a parent, and a forged choice is refused.
    under_itself = olivia.post(
        url("structure_unit_edit", cast, cast.department.pk),
        {"name": "Klantenservice", "kind": "department", "parent": cast.department.pk},
    )
    assert under_itself.status_code == 422
    assert Unit.objects.get(pk=cast.department.pk).parent is None


def test_closing_is_refused_while_employees_work_there_and_a_closed_unit_is_offered_nowhere(
    cast, olivia
):
    refused = olivia.post(url("structure_unit_close", cast, cast.team.pk))
    assert refused.status_code == 409
    assert "Team Noord heeft nog medewerkers" in refused.content.decode()
    refused = olivia.post(url("structure_unit_close", cast, cast.department.pk))
    assert refused.status_code == 409
    assert "nog open eenheden" in refused.content.decode()
    assert Unit.objects.get(pk=cast.team.pk).closed_at is None
    empty = Unit.objects.create(
        organisation=cast.owner, name="Team Oud", slug="team-oud", parent=cast.department
    )
    empty.path = f"{cast.department.path}{empty.pk}/"
    empty.save()
    assert olivia.post(url("structure_unit_close", cast, empty.pk)).status_code == 302
    assert Unit.objects.get(pk=empty.pk).closed_at is not None
    assert AuditEntry.objects.filter(action="unit.closed", user=cast.owner_admin).exists()
    tree = olivia.get(url("structure", cast)).content.decode()
    assert "Team Oud (gesloten" in tree
    form = olivia.get(url("structure_employee_new", cast)).content.decode()
    assert f'value="{empty.pk}"' not in form and f'value="{cast.team.pk}"' in form
    placed = olivia.post(
        url("structure_employee_new", cast), {"code": "Z1", "name": "Zoë", "unit": empty.pk}
    )
    assert placed.status_code == 422 and not Employee.objects.filter(code="Z1").exists()


def test_the_admin_adds_moves_and_lets_an_employee_leave(cast, olivia):
    added = olivia.post(
        url("structure_employee_new", cast),
        {"code": "N1", "name": "Nina Nieuw", "email": "nina@leasewijs.nl", "unit": cast.team.pk},
    )
    assert added.status_code == 302
    nina = Employee.objects.get(organisation=cast.owner, code="N1")
    assert nina.unit == cast.team and nina.email == "nina@leasewijs.nl"
    make_responses(cast, [2], employee=cast.agent)
    moved = olivia.post(
        url("structure_employee_edit", cast, cast.agent.pk),
        {"name": "Anouk Agent", "email": "anouk@leasewijs.nl", "unit": cast.department.pk},
    )
    assert moved.status_code == 302
    assert Employee.objects.get(pk=cast.agent.pk).unit == cast.department
    # The answer given in Team Noord stays there.
    assert Response.objects.get(employee=cast.agent).unit_path == cast.team.path
    left = olivia.post(url("structure_employee_leave", cast, cast.agent.pk))
    assert left.status_code == 302
    assert Employee.objects.get(pk=cast.agent.pk).left_at is not None
    assert AuditEntry.objects.filter(action="employee.left", user=cast.owner_admin).exists()
    listed = table(olivia.get(url("structure_employees", cast)))
    assert "Nina Nieuw" in listed and "Anouk Agent" not in listed
    with_left = table(olivia.get(url("structure_employees", cast), {"left": "1"}))
    assert "Anouk Agent" in with_left and "uit dienst" in with_left
    by_unit = olivia.get(url("structure_employees", cast), {"unit": cast.department.pk})
    assert "Nina Nieuw" in by_unit.content.decode()  # the department's subtree holds Team Noord


UNITS_CSV = (
    "code;naam;bovenliggend;soort\n"
    "wagenpark;Wagenparkbeheer;;afdeling\n"
    "team-inname;Team Inname;wagenpark;team\n"
)
EMPLOYEES_CSV = (
    "personeelsnummer,naam,eenheid,e-mail\n"
    "L1,Lotte de Lead,team-noord,lotte@leasewijs.nl\n"
    "A1,Anouk Agent,team-noord,\n"
    "N1,Nina Nieuw,team-noord,nina@leasewijs.nl\n"
)


def upload(client, cast, name: str, content: bytes, **data):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url("structure_import", cast), {"file": file, "action": "check", **data})


def test_a_dry_run_writes_nothing_then_apply_writes_the_same_file(cast, olivia):
    units_before = Unit.objects.count()
    checked = upload(olivia, cast, "eenheden.csv", UNITS_CSV.encode())
    assert checked.status_code == 200
    assert Unit.objects.count() == units_before
    assert checked.context["outcome"].units.created == ["wagenpark", "team-inname"]
    digest = checked.context["digest"]
    applied = olivia.post(url("structure_import", cast), {"action": "apply", "digest": digest})
    assert applied.status_code == 200, applied.content.decode()[:3000]
    assert Unit.objects.get(organisation=cast.owner, slug="team-inname").parent.slug == "wagenpark"
    assert Unit.objects.get(slug="wagenpark").kind == Unit.Kind.DEPARTMENT
    # The kept file is gone once applied: a second apply is refused.
    again = olivia.post(url("structure_import", cast), {"action": "apply", "digest": digest})
    assert again.status_code == 409


def test_bad_rows_are_reported_by_their_row_number_and_cannot_be_applied(cast, olivia):
    bad = EMPLOYEES_CSV + "X1,,team-nergens,geen-adres\n" + "A1,Anouk Dubbel,team-noord,\n"
    checked = upload(olivia, cast, "medewerkers.csv", bad.encode())
    assert checked.status_code == 422
    problems = checked.context["outcome"].problems
    rows = {number for _, number, _ in problems}
    assert rows == {3, 5, 6}  # A1 twice (rows 3 and 6) and X1 (row 5)
    page = checked.content.decode()
    assert "naam is leeg" in page and "team-nergens" in page and "Toepassen" not in page
    assert not Employee.objects.filter(code__in=["N1", "X1"]).exists()
    refused = olivia.post(url("structure_import", cast), {"action": "apply", "digest": "0" * 64})
    assert refused.status_code == 409 and not Employee.objects.filter(code="N1").exists()


def test_leave_missing_marks_employees_not_in_the_file_as_left(cast, olivia):
    checked = upload(olivia, cast, "medewerkers.csv", EMPLOYEES_CSV.encode(), leave_missing="on")
    assert checked.context["outcome"].employees.left == ["B1"]
    assert Employee.objects.get(pk=cast.colleague.pk).left_at is None  # a dry run
    olivia.post(
        url("structure_import", cast), {"action": "apply", "digest": checked.context["digest"]}
    )
    assert Employee.objects.get(pk=cast.colleague.pk).left_at is not None
    assert Employee.objects.get(organisation=cast.owner, code="N1").unit == cast.team


def test_a_workbook_of_40_units_and_600_employees_imports(cast, olivia):
    workbook = Workbook()
    units = workbook.active
    units.title = "Eenheden"
    units.append(["Code", "Name", "Parent", "Kind"])
    units.append(["regio", "Regio's", "", "division"])
    for number in range(1, 40):
        units.append([f"team-{number}", f"Team {number}", "regio", "team"])
    employees = workbook.create_sheet("Medewerkers")
    employees.append(["Code", "Name", "Unit", "Email"])
    for number in range(600):
        team = number % 39 + 1
        employees.append([1000 + number, f"Medewerker {number}", f"team-{team}", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    checked = upload(olivia, cast, "hr.xlsx", buffer.getvalue())
    assert checked.status_code == 200, checked.context["outcome"].problems[:5]
    assert len(checked.context["outcome"].employees.created) == 600
    assert not Employee.objects.filter(code="1000").exists()
    olivia.post(
        url("structure_import", cast), {"action": "apply", "digest": checked.context["digest"]}
    )
    assert Unit.objects.filter(organisation=cast.owner, slug__startswith="team-").count() == 40
    assert Employee.objects.filter(organisation=cast.owner, unit__slug="team-1").count() == 16
    assert Employee.objects.get(organisation=cast.owner, code="1599").unit.slug == "team-15"


def test_an_unreadable_file_gets_a_clear_message(cast, olivia):
    refused = upload(olivia, cast, "hr.xlsx", b"no workbook")
    assert refused.status_code == 422 and "geen leesbaar XLSX-bestand" in refused.content.decode()
    refused = upload(olivia, cast, "hr.csv", b"foo;bar\n1;2\n")
    assert refused.status_code == 422 and "code en naam" in refused.content.decode()


@pytest.mark.parametrize("who", ["lead", "analyst", "partner_admin", "outsider"])
def test_only_the_organisations_admin_reaches_its_structure(cast, who):
    from cxloop.orgs.models import Role
    from cxloop.orgs.services import grant_role

    if who == "lead":
        user = cast.lead.user
    elif who == "analyst":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(username="anton", password="x" * 16)
        grant_role(user=user, organisation=cast.owner, role=Role.ANALYST)
    else:
        user = getattr(cast, who)
    client = cast.client_for(user)
    for name, args in (
        ("structure", ()),
        ("structure_employees", ()),
        ("structure_import", ()),
        ("structure_unit_edit", (cast.team.pk,)),
    ):
        assert client.get(url(name, cast, *args)).status_code == 404, name
    assert client.post(url("structure_employee_leave", cast, cast.agent.pk)).status_code == 404
    assert Employee.objects.get(pk=cast.agent.pk).left_at is None


def test_a_partners_admin_manages_its_own_organisation_and_the_menu_links_it(cast):
    paula = cast.client_for(cast.partner_admin)
    page = paula.get(reverse("structure", args=[cast.partner.slug]))
    assert page.status_code == 200 and "Inbound" in page.content.decode()
    assert reverse("structure", args=[cast.partner.slug]) in page.content.decode()
    home = cast.client_for(cast.lead.user).get(reverse("inbox")).content.decode()
    assert "/structure/" not in home


def test_the_hrimport_command_dry_runs_and_applies_a_file(cast, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    file = tmp_path / "medewerkers.csv"
    file.write_text(EMPLOYEES_CSV)
    call_command(
        "hrimport", "--organisation", "leasewijs", str(file), "--dry-run", "--leave-missing"
    )
    assert "employees would be: 1 created" in capsys.readouterr().out
    assert not Employee.objects.filter(code="N1").exists()
    call_command("hrimport", "--organisation", "leasewijs", str(file), "--leave-missing")
    assert Employee.objects.get(organisation=cast.owner, code="N1").unit == cast.team
    assert Employee.objects.get(pk=cast.colleague.pk).left_at is not None
    file.write_text(EMPLOYEES_CSV + "X1,,team-nergens,\n")
    with pytest.raises(CommandError):
        call_command("hrimport", "--organisation", "leasewijs", str(file))
    assert "employees row 5: name is empty" in capsys.readouterr().err
