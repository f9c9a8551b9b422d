"""The anonymity rule (anonymity.py) applied to one reader's view of one organisation.

A page that shows scores of units or employees asks `Visibility.figure(subject, score, metric)` for
each; the decisions come from one `suppress` per metric over the organisation's units, employees and
preset periods, read with three small queries (`queries.people`). Subjects are keys: ("org", id),
("unit", id) (the unit and everything below it) and ("emp", id).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.utils import timezone

from cxloop import stats
from cxloop.dashboards import anonymity, queries
from cxloop.dashboards.queries import Scores
from cxloop.dashboards.tables import Figure, hide, show, withheld
from cxloop.orgs.access import Scope, scope_for
from cxloop.orgs.models import Employee, Organisation, Unit

METRICS = ("nps", "csat", "ces")
CACHE_SECONDS = 3600  # the key holds every count the decisions rest on: new answers, new key
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
        if self.preset is None or (subject not in self.visible and score.n):
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
    *,
    user: AbstractBaseUser | AnonymousUser,
    organisation: Organisation,
    preset: int | None,
    scope: Scope | None = None,
    today: date | None = None,
) -> Visibility:
    """The reader's visibility of the organisation's units and employees over a preset period
    (`FilterState.preset`; None under filters or a period of one's own: others see none of them)."""
    scope = scope or scope_for(user)
    own = _own(scope, organisation)
    reads = scope.sees_organisation(organisation.pk)
    if preset not in anonymity.PRESET_DAYS:
        return Visibility(None, own, {}, reads)  # nothing of others to decide
    people = queries.people(organisation=organisation, today=today or timezone.localdate())
    subjects = _subjects(people, organisation)
    visible = _visible(subjects, organisation, scope, own)
    roots = frozenset({org_key(organisation)}) if reads else frozenset()
    own_set = frozenset({own}) & frozenset(subjects)
    hidden = _decided(people, subjects, visible, own_set, roots)
    return Visibility(preset, own, hidden, reads, visible)


def _decided(
    people: queries.People,
    subjects: dict[Key, frozenset],
    visible: frozenset[Key],
    own: frozenset[Key],
    roots: frozenset[Key],
) -> dict[str, frozenset]:
    """The rule's decisions for every period at once, cached by what they depend on (the answers
    per leaf and ring, and who reads), so that readers of the same kind share the work."""
    fingerprint = hashlib.sha256(
        repr(
            (
                sorted((m, sorted(c.items(), key=repr)) for m, c in people.counts.items()),
                sorted(visible),
                sorted(own),
                sorted(roots),
                anonymity.minimum(),
            )
        ).encode()
    ).hexdigest()
    key = f"cxloop:anonymity:{fingerprint}"
    hidden = cache.get(key)
    if hidden is None:
        hidden = {
            metric: anonymity.suppress(
                anonymity.Family(
                    subjects=subjects,
                    counts=people.counts[metric],
                    visible=visible,
                    own=own,
                    roots=roots,
                )
            )
            for metric in METRICS
        }
        cache.set(key, hidden, CACHE_SECONDS)
    return hidden


def _own(scope: Scope, organisation: Organisation) -> Key | None:
    employee = scope.employee
    return (
        employee_key(employee) if employee and employee.organisation_id == organisation.pk else None
    )


def _subjects(people: queries.People, organisation: Organisation) -> dict[Key, frozenset]:
    """Every subject with answers, with its leaves: the organisation, each unit on a leaf's path
    (a path is "/3/8/": units 3 and 8), each employee."""
    leaves = people.leaves()
    subjects: dict[Key, set] = {org_key(organisation): set(leaves)}
    for leaf in leaves:
        path, employee = leaf
        for unit in path.strip("/").split("/") if path else ():
            subjects.setdefault(("unit", int(unit)), set()).add(leaf)
        if employee is not None:
            subjects.setdefault(("emp", employee), set()).add(leaf)
    return {key: frozenset(value) for key, value in subjects.items()}


def _visible(
    subjects: dict[Key, frozenset], organisation: Organisation, scope: Scope, own: Key | None
) -> frozenset[Key]:
    """The subjects this reader may see at all: everything to the organisation's readers; to a lead
    the units they lead with everything below and the employees who answered there; to an employee
    themselves and their unit's total."""
    if scope.sees_organisation(organisation.pk):
        return frozenset(subjects)
    led = scope.led_unit_paths

    def seen(leaf: tuple[str, int | None]) -> bool:
        return any(leaf[0].startswith(path) for path in led)

    visible = set()
    for key, leaves in subjects.items():
        if key[0] == "unit" and any(seen((_unit_path(key[1], leaf[0]), None)) for leaf in leaves):
            visible.add(key)
        elif key[0] == "emp" and leaves and all(seen(leaf) for leaf in leaves):
            visible.add(key)
    if own is not None and scope.employee is not None:
        visible |= {own, ("unit", scope.employee.unit_id)}  # an employee sees their team's total
    return frozenset(visible) & frozenset(subjects)


def _unit_path(unit: int, leaf_path: str) -> str:
    """The unit's own path, cut from the path of a leaf below it."""
    marker = f"/{unit}/"
    return leaf_path[: leaf_path.index(marker) + len(marker)]


# --- figures outside the family ---------------------------------------------------------------------


def _ns(scores: Scores) -> tuple[int, int, int]:
    return scores.n, scores.csat_n, scores.ces_n


def guarded(figures: list[Figure], total: Scores, own: Scores | None) -> list[Figure]:
    """Totals shown beside the viewer's own part (a partner's "totals" agreement): hidden where the
    rest, total minus own, would give another partner's score away (anonymity.rest_hides_total)."""
    if own is None:
        return figures
    return [
        hide(figure) if anonymity.rest_hides_total(t, o) else figure
        # NPS, CSAT, CES in that order; a list of just the NPS guards just that.
        for figure, t, o in zip(figures, _ns(total), _ns(own), strict=False)
    ]


def breakdown_figure(score: stats.Score, *, people: bool) -> Figure:
    """An analysis' NPS (per channel, contact moment or moment of truth): a breakdown, so withheld
    of a unit (`people`) whatever the period (anonymity.breakdown_allowed)."""
    if anonymity.breakdown_allowed(people=people, preset=True, filtered=True):
        return show(score)
    return withheld("nps", score.n)
