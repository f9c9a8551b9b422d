"""The organisation admin's structure pages: the unit tree, the employees, the HR import.

Every write goes through cxloop.orgs.structure (single-row upserts, close_unit, leave), so the
rules and the audit entries are the API's and the import's. Others get 404 (MANAGE_STRUCTURE).
"""

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.orgs import hrimport, structure
from cxloop.orgs.capabilities import Capability, can
from cxloop.orgs.forms import EmployeeForm, ImportForm, UnitForm
from cxloop.orgs.models import Employee, Organisation, Unit

SESSION_KEY = "hrimport"  # the file of the last dry run, applied as it was checked


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not can(request.user, Capability.MANAGE_STRUCTURE, organisation):
        raise Http404
    return organisation


def _owned(model, organisation: Organisation, pk: int):
    found = model.objects.filter(organisation=organisation, pk=pk).first()
    if found is None:
        raise Http404
    return found


def _first_error(report: structure.Report) -> str:
    return "; ".join(text for texts in report.errors.values() for text in texts)


@login_required
def structure_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The unit tree, open and closed, with how many employees work in each unit."""
    organisation = _organisation(request, slug)
    units = list(Unit.objects.filter(organisation=organisation).order_by("path"))
    working: dict[int, int] = {}
    for unit_id in Employee.objects.filter(
        organisation=organisation, left_at__isnull=True
    ).values_list("unit_id", flat=True):
        working[unit_id] = working.get(unit_id, 0) + 1
    rows = [(unit, working.get(unit.pk, 0), "— " * unit.depth) for unit in units]
    context = {
        "organisation": organisation,
        "rows": rows,
        "form": UnitForm(organisation=organisation),
    }
    return render(request, "orgs/structure.html", context)


@login_required
def unit_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a unit anywhere in the tree."""
    organisation = _organisation(request, slug)
    form = UnitForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = structure.upsert_units(
            organisation=organisation,
            rows=[
                structure.UnitRow(
                    data["code"],
                    data["name"],
                    data["parent"].slug if data["parent"] else "",
                    data["kind"],
                )
            ],
            actor=request.user,
        )
        if report.ok:
            messages.success(request, _("Unit %(name)s added.") % {"name": data["name"]})
            return redirect("structure", slug=organisation.slug)
        form.add_error(None, _first_error(report))
    status = 422 if request.method == "POST" else 200
    context = {"organisation": organisation, "form": form, "title": _("New unit")}
    return render(request, "orgs/edit.html", context, status=status)


@login_required
def unit_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Rename a unit, change its kind or move it (with its history) under another parent."""
    organisation = _organisation(request, slug)
    unit = _owned(Unit, organisation, pk)
    initial = {"name": unit.name, "kind": unit.kind, "parent": unit.parent}
    form = UnitForm(request.POST or None, initial=initial, organisation=organisation, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = data["parent"].slug if data["parent"] else ""
        report = structure.upsert_units(
            organisation=organisation,
            rows=[structure.UnitRow(unit.slug, data["name"], parent, data["kind"])],
            actor=request.user,
        )
        if report.ok:
            messages.success(request, _("Unit %(name)s saved.") % {"name": data["name"]})
            return redirect("structure", slug=organisation.slug)
        form.add_error(None, _first_error(report))
    status = 422 if request.method == "POST" else 200
    context = {"organisation": organisation, "form": form, "title": unit.name, "unit": unit}
    return render(request, "orgs/edit.html", context, status=status)


@login_required
@require_POST
def unit_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Close a unit; refused (409, with the reason) while people or open units are in it."""
    organisation = _organisation(request, slug)
    unit = _owned(Unit, organisation, pk)
    try:
        structure.close_unit(unit=unit, actor=request.user)
    except structure.ClosingRefused as refused:
        context = {"organisation": organisation, "refusal": str(refused), "unit": unit}
        return render(request, "orgs/refused.html", context, status=409)
    messages.success(request, _("Unit %(name)s closed.") % {"name": unit.name})
    return redirect("structure", slug=organisation.slug)


@login_required
def employees(request: HttpRequest, slug: str) -> HttpResponse:
    """The employees, by unit (with its subtree) and, when asked, those who left too."""
    organisation = _organisation(request, slug)
    rows = Employee.objects.filter(organisation=organisation).select_related("unit")
    chosen = None
    unit_pk = request.GET.get("unit", "")
    if unit_pk.isdigit():
        chosen = Unit.objects.filter(organisation=organisation, pk=int(unit_pk)).first()
        if chosen is not None:
            rows = rows.filter(unit__path__startswith=chosen.path)
    include_left = request.GET.get("left") == "1"
    if not include_left:
        rows = rows.filter(left_at__isnull=True)
    context = {
        "organisation": organisation,
        "employees": rows.order_by("name", "code"),
        "units": [
            (unit, "— " * unit.depth)
            for unit in Unit.objects.filter(organisation=organisation).order_by("path")
        ],
        "chosen": chosen,
        "include_left": include_left,
    }
    return render(request, "orgs/employees.html", context)


@login_required
def employee_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Add an employee to an open unit."""
    organisation = _organisation(request, slug)
    form = EmployeeForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = structure.EmployeeRow(data["code"], data["name"], data["unit"].slug, data["email"])
        report = structure.upsert_employees(
            organisation=organisation, rows=[row], actor=request.user
        )
        if report.ok:
            messages.success(request, _("Employee %(name)s added.") % {"name": data["name"]})
            return redirect("structure_employees", slug=organisation.slug)
        form.add_error(None, _first_error(report))
    status = 422 if request.method == "POST" else 200
    context = {"organisation": organisation, "form": form, "title": _("New employee")}
    return render(request, "orgs/edit.html", context, status=status)


@login_required
def employee_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change an employee's name or e-mail address, or move them to another unit."""
    organisation = _organisation(request, slug)
    employee = _owned(Employee, organisation, pk)
    if employee.left_at is not None:
        # Saving would bring them back (the upsert's rule for HR files); that is not an edit.
        context = {
            "organisation": organisation,
            "refusal": _("%(name)s has left; an HR import that lists them again brings them back.")
            % {"name": employee.name},
        }
        return render(
            request, "orgs/refused.html", context, status=409 if request.method == "POST" else 200
        )
    initial = {"name": employee.name, "email": employee.email, "unit": employee.unit}
    form = EmployeeForm(
        request.POST or None, initial=initial, organisation=organisation, employee=employee
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = structure.EmployeeRow(employee.code, data["name"], data["unit"].slug, data["email"])
        report = structure.upsert_employees(
            organisation=organisation, rows=[row], actor=request.user
        )
        if report.ok:
            messages.success(request, _("Employee %(name)s saved.") % {"name": data["name"]})
            return redirect("structure_employees", slug=organisation.slug)
        form.add_error(None, _first_error(report))
    status = 422 if request.method == "POST" else 200
    context = {
        "organisation": organisation,
        "form": form,
        "title": employee.name,
        "employee": employee,
    }
    return render(request, "orgs/edit.html", context, status=status)


@login_required
@require_POST
def employee_leave(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The employee leaves: their answers stay in the statistics."""
    organisation = _organisation(request, slug)
    employee = _owned(Employee, organisation, pk)
    structure.leave(employee=employee, actor=request.user)
    messages.success(request, _("%(name)s has left.") % {"name": employee.name})
    return redirect("structure_employees", slug=organisation.slug)


@login_required
def import_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload an HR file: first a dry run that shows what would change, then apply that same file."""
    organisation = _organisation(request, slug)
    form = ImportForm()
    context: dict[str, object] = {"organisation": organisation, "form": form}
    if request.method != "POST":
        return render(request, "orgs/import.html", context)
    if request.POST.get("action") == "apply":
        return _apply(request, organisation)
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "orgs/import.html", context, status=422)
    upload = form.cleaned_data["file"]
    content = upload.read()
    leave_missing = form.cleaned_data["leave_missing"]
    try:
        tables = hrimport.read_tables(content, upload.name)
    except hrimport.UnreadableFile as unreadable:
        form.add_error("file", str(unreadable))
        return render(request, "orgs/import.html", context, status=422)
    outcome = hrimport.import_structure(
        organisation=organisation, tables=tables, actor=request.user, leave_missing=leave_missing
    )
    digest = hashlib.sha256(content).hexdigest()
    if outcome.ok:
        # Kept for "Apply": the file that was checked, so nothing else is written unseen.
        request.session[SESSION_KEY] = {
            "organisation": organisation.pk,
            "name": upload.name,
            "content": base64.b64encode(content).decode(),
            "digest": digest,
            "leave_missing": leave_missing,
        }
    context.update(
        outcome=outcome, digest=digest, file_name=upload.name, leave_missing=leave_missing
    )
    return render(request, "orgs/import.html", context, status=200 if outcome.ok else 422)


def _apply(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    kept = request.session.get(SESSION_KEY) or {}
    if kept.get("organisation") != organisation.pk or kept.get("digest") != request.POST.get(
        "digest"
    ):
        context = {
            "organisation": organisation,
            "form": ImportForm(),
            "refusal": _(
                "The checked file is no longer at hand: upload it again for a new dry run."
            ),
        }
        return render(request, "orgs/import.html", context, status=409)
    content = base64.b64decode(kept["content"])
    outcome = hrimport.import_structure(
        organisation=organisation,
        tables=hrimport.read_tables(content, kept["name"]),
        actor=request.user,
        dry_run=False,
        leave_missing=kept["leave_missing"],
    )
    del request.session[SESSION_KEY]
    context = {
        "organisation": organisation,
        "form": ImportForm(),
        "outcome": outcome,
        "file_name": kept["name"],
    }
    return render(request, "orgs/import.html", context, status=200 if outcome.ok else 422)
