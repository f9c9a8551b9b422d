"""The chain: filter choices, and what a journey owner or a partner may see of each journey type."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from cxloop.dashboards.queries.base import (
    SUMS,
    Filters,
    Scores,
    Slice,
    _scores,
    rollups_for,
    scores_by,
)
from cxloop.journeys.models import (
    Channel,
    DataSharingAgreement,
    JourneyType,
    Touchpoint,
)
from cxloop.orgs.access import scope_for
from cxloop.orgs.models import Chain, Organisation

# --- choices for the filters -----------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the filters offer on a page: the chain's journey types, channels, touchpoints and segments."""

    journey_types: list[tuple[int, str]]
    channels: list[tuple[int, str]]
    touchpoints: list[tuple[int, str, str]]  # id, name, journey type name
    segments: list[str]

    def name_of(self, kind: str, pk: int | None) -> str:
        options = {
            "journey_type": self.journey_types,
            "channel": self.channels,
            "touchpoint": [(t[0], t[1]) for t in self.touchpoints],
        }[kind]
        return dict(options).get(pk, "") if pk else ""


def filter_choices(*, chain: Chain, slice: Slice, since: date, until: date) -> Choices:
    """The filter options for a page about one slice of one chain (four small queries)."""
    journey_types = JourneyType.objects.filter(chain=chain)
    if slice.journey_type_ids is not None:  # a page about some journey types offers only those
        journey_types = journey_types.filter(pk__in=sorted(slice.journey_type_ids))
    touchpoints = list(
        Touchpoint.objects.filter(journey_type__in=journey_types)
        .order_by("journey_type__name", "position", "name")
        .values_list("pk", "name", "journey_type__name")
    )
    segments = (
        rollups_for(Filters(since=since, until=until), slice=slice, fields=("segment",))
        .exclude(segment="")
        .values_list("segment", flat=True)
        .distinct()
        .order_by("segment")
    )
    return Choices(
        journey_types=list(journey_types.order_by("name").values_list("pk", "name")),
        channels=list(
            Channel.objects.filter(chain=chain).order_by("name").values_list("pk", "name")
        ),
        touchpoints=touchpoints,
        segments=list(segments),
    )


# --- the chain: journey owners and partners ---------------------------------------------------

OWNER = "owner"
LEVELS = (
    OWNER,
    DataSharingAgreement.Visibility.ALL,
    DataSharingAgreement.Visibility.TOTALS,
    DataSharingAgreement.Visibility.OWN,
)


@dataclass(frozen=True)
class JourneyView:
    """What one user may see of one journey type across the chain.

    owner: an organisation-wide reader of the journey type's owner sees the totals and every part;
    all / totals / own: a partner's organisation-wide reader, as its DataSharingAgreement says.
    """

    journey_type: JourneyType
    level: str
    own_organisation_ids: frozenset[int]

    @property
    def sees_totals(self) -> bool:
        return self.level != DataSharingAgreement.Visibility.OWN

    @property
    def sees_parts(self) -> bool:
        return self.level in (OWNER, DataSharingAgreement.Visibility.ALL)

    @property
    def is_owner(self) -> bool:
        return self.level == OWNER

    def visible_part(self, organisation_id: int) -> bool:
        return self.sees_parts or organisation_id in self.own_organisation_ids

    def own_slice(self) -> Slice:
        """Only the user's own organisations' part of the journey type."""
        return Slice(
            organisation_ids=self.own_organisation_ids,
            journey_type_ids=frozenset({self.journey_type.pk}),
        )

    def slice(self) -> Slice:
        """The journey type's totals, or only the user's own organisations' part."""
        journey_types = frozenset({self.journey_type.pk})
        if self.sees_totals:
            return Slice(journey_type_ids=journey_types)
        return Slice(organisation_ids=self.own_organisation_ids, journey_type_ids=journey_types)


def journey_views_for(user: AbstractBaseUser | AnonymousUser) -> list[JourneyView]:
    """Every journey type the user may look at across the chain, with how much of it (two queries)."""
    organisations = scope_for(user).organisations
    if not organisations:
        return []
    views: dict[int, JourneyView] = {}
    for journey_type in JourneyType.objects.filter(owner_id__in=organisations).select_related(
        "chain"
    ):
        views[journey_type.pk] = JourneyView(
            journey_type, OWNER, frozenset({journey_type.owner_id})
        )
    agreements = DataSharingAgreement.objects.filter(
        organisation_id__in=organisations
    ).select_related("journey_type__chain")
    for agreement in agreements:
        current = views.get(agreement.journey_type_id)
        own = frozenset({agreement.organisation_id}) | (
            current.own_organisation_ids if current else frozenset()
        )
        level = agreement.visibility
        if current is not None and LEVELS.index(current.level) < LEVELS.index(level):
            level = current.level
        views[agreement.journey_type_id] = JourneyView(agreement.journey_type, level, own)
    return sorted(views.values(), key=lambda v: (v.journey_type.chain.name, v.journey_type.name))


def access_journey_type(user: AbstractBaseUser | AnonymousUser, pk: int) -> JourneyView:
    """The user's view of one journey type, or 404 when no role or agreement gives them one."""
    for view in journey_views_for(user):
        if view.journey_type.pk == pk:
            return view
    raise Http404


def journey_parts(
    *, journey_type_ids: Iterable[int], filters: Filters
) -> dict[tuple[int, int], Scores]:
    """Scores per (journey type, organisation): the partners' parts (one grouped query; callers show what
    each user's JourneyView allows)."""
    slice = Slice(journey_type_ids=frozenset(journey_type_ids))
    return {
        (jt, org): s
        for (jt, org), s in scores_by(
            slice=slice, filters=filters, fields=("journey_type_id", "organisation_id")
        ).items()
    }


def journey_channel_parts(
    *, journey_type_ids: Iterable[int], filters: Filters
) -> dict[tuple[int, int, int], Scores]:
    """Scores per (journey type, channel, organisation), for the chain's channel × journey heatmap."""
    slice = Slice(journey_type_ids=frozenset(journey_type_ids))
    grouped = (
        rollups_for(
            filters,
            slice=slice,
            fields=("journey_type_id", "channel_id", "organisation_id"),
            with_channel_and_journey=True,
        )
        .values("journey_type_id", "channel_id", "organisation_id")
        .annotate(**SUMS)
        .order_by()
    )
    return {
        (row["journey_type_id"], row["channel_id"], row["organisation_id"]): _scores(row)
        for row in grouped
    }


def organisations_in(*, chain: Chain) -> dict[int, Organisation]:
    """The chain's organisations by id (names for the parts)."""
    return {o.pk: o for o in Organisation.objects.filter(chain=chain).order_by("name")}
