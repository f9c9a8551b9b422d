"""The anonymity rule (anonymity.py) applied to one reader's view of one organisation.

A page that shows scores of units or employees asks `Visibility.figure(subject, score, metric)` for
each; the decisions come from one `suppress` per metric over the organisation's units, employees and
preset periods, read with three small queries (`queries.people`). Subjects are keys: ("org", id),
("unit", id) (the unit and everything below it) and ("emp", id).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from cxloop import stats
from cxloop.dashboards import anonymity, queries
from cxloop.dashboards.filters import FilterState
from cxloop.dashboards.queries import Scores
from cxloop.dashboards.tables import Figure, hide, show, withheld
from cxloop.orgs.access import Scope, scope_for
from cxloop.orgs.models import Employee, Organisation, Unit

METRICS = ("nps", "csat", "ces")
Key = tuple[str, int]


def org_key(organisation: Organisation) -> Key:
    return ("org", organisation.pk)


def unit_key(unit: Unit) -> Key:
    return ("unit", unit.pk)


def employee_key(employee: Employee) -> Key:
    return ("emp", employee.pk)


@dataclass(frozen=True)
class Visibility:
    """Which scores of units and employees one reader may see on one page, and of answers what."""

    preset: int | None  # the page's preset period, or None under filters / a period of one's own
    own: Key | None = None
    hidden: dict[str, frozenset] = field(default_factory=dict)  # metric → {(subject, period)}
    reads_answers_with_scores: bool = False
    visible: frozenset[Key] = frozenset()

    def figure(
        self, subject: Key, score: stats.Score, metric: str = "nps", *, previous: bool = False
    ) -> Figure:
        """A unit's or an employee's score as this reader may see it."""
        if subject == self.own:
            return show(score, metric, own=True)
        if self.preset is None or subject not in self.visible:
            return withheld(metric, score.n)
        figure = show(score, metric)
        period = (self.preset, anonymity.PREVIOUS if previous else anonymity.CURRENT)
        if (subject, period) in self.hidden.get(metric, frozenset()):
            return hide(figure)
        return figure

    def figures(self, subject: Key, scores: Scores, *, previous: bool = False) -> list[Figure]:
        """NPS, CSAT and CES of a subject."""
        return [
            self.figure(subject, scores.nps, "nps", previous=previous),
            self.figure(subject, scores.csat, "csat", previous=previous),
            self.figure(subject, scores.ces, "ces", previous=previous),
        ]

    def shown(self, subject: Key, *, previous: bool = False) -> bool:
        """Whether the subject's NPS is shown to this reader (for names next to its answers)."""
        if subject == self.own:
            return True
        period = (self.preset, anonymity.PREVIOUS if previous else anonymity.CURRENT)
        return (
            self.preset is not None
            and subject in self.visible
            and (subject, period) not in self.hidden.get("nps", ())
        )

    def answers(self, subject: Key) -> str:
        """What the reader sees of the answers about a subject (anonymity.verbatim_view)."""
        return anonymity.verbatim_view(
            own=subject == self.own, reads_answers_with_scores=self.reads_answers_with_scores
        )


def visibility_for(
    *, user: AbstractBaseUser | AnonymousUser, organisation: Organisation, state: FilterState
) -> Visibility:
    """The reader's visibility of the organisation's units and employees under the page's filters."""
    scope = scope_for(user)
    own = _own(scope, organisation)
    reads = scope.sees_organisation(organisation.pk)
    preset = state.days if state.days in anonymity.PRESET_DAYS and not state.filtered else None
    if preset is None:
        return Visibility(None, own, {}, reads)  # nothing of others to decide
    people = queries.people(organisation=organisation, today=timezone.localdate())
    subjects, visible = _subjects(people, organisation, scope, own)
    roots = frozenset({org_key(organisation)}) if reads else frozenset()
    hidden = {
        metric: anonymity.suppress(
            anonymity.Family(
                subjects=subjects,
                counts=people.counts[metric],
                visible=visible,
                own=frozenset({own}) if own else frozenset(),
                roots=roots,
            )
        )
        for metric in METRICS
    }
    return Visibility(preset, own, hidden, reads, visible)


def _own(scope: Scope, organisation: Organisation) -> Key | None:
    employee = scope.employee
    return (
        employee_key(employee) if employee and employee.organisation_id == organisation.pk else None
    )


def _subjects(
    people: queries.People, organisation: Organisation, scope: Scope, own: Key | None
) -> tuple[dict[Key, frozenset], frozenset[Key]]:
    """Every subject with its leaves, and the ones this reader may see at all."""
    leaves = {leaf for counts in people.counts.values() for (leaf, _ring) in counts}
    paths = dict(people.units)

    def having(test: Callable[[tuple[str, int | None]], bool]) -> frozenset:
        return frozenset(leaf for leaf in leaves if test(leaf))

    subjects: dict[Key, frozenset] = {org_key(organisation): frozenset(leaves)}
    for pk, path in people.units:
        subjects[("unit", pk)] = having(lambda leaf, path=path: leaf[0].startswith(path))
    for pk, _unit in people.employees:
        subjects[("emp", pk)] = having(lambda leaf, pk=pk: leaf[1] == pk)
    if scope.sees_organisation(organisation.pk):
        return subjects, frozenset(subjects)
    seen_paths = [
        p for p in paths.values() if any(p.startswith(led) for led in scope.led_unit_paths)
    ]
    visible = {("unit", pk) for pk, path in people.units if path in seen_paths}
    visible |= {("emp", pk) for pk, unit in people.employees if paths.get(unit) in seen_paths}
    if own is not None:
        visible |= {own, ("unit", scope.employee.unit_id)}  # an employee sees their team's total
    return subjects, frozenset(visible)
