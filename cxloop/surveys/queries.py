"""Reads for the survey pages: the builder's surveys and questions, scoped to the user's organisations,
the survey families, the rules, the contact policy, and what the public survey page shows."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cxloop.orgs.capabilities import Capability, organisations_where
from cxloop.orgs.models import Organisation
from cxloop.responses.models import Response
from cxloop.surveys.models import ContactPolicy, Invitation, InvitationRule, Question, Survey
from cxloop.surveys.services import hash_token


def builder_organisations(user: AbstractBaseUser | AnonymousUser) -> list[Organisation]:
    """The organisations whose surveys the user may build: org-wide admin or journey owner."""
    return list(organisations_where(user, Capability.CONFIGURE_SURVEYS))


def access_survey(user: AbstractBaseUser | AnonymousUser, pk: int) -> Survey:
    """A survey version of one of the user's builder organisations, else 404."""
    organisation_ids = [o.pk for o in builder_organisations(user)]
    survey = (
        Survey.objects.select_related("organisation")
        .filter(pk=pk, organisation_id__in=organisation_ids)
        .first()
    )
    if survey is None:
        raise Http404
    return survey


def access_question(survey: Survey, pk: int) -> Question:
    """A question of this survey version, else 404."""
    question = survey.questions.select_related("condition_question", "survey").filter(pk=pk).first()
    if question is None:
        raise Http404
    return question


@dataclass
class Family:
    """One survey family in the list: its newest version, the published one and the responses to all versions."""

    newest: Survey
    published: Survey | None = None
    responses: int = 0
    versions: list[Survey] = field(default_factory=list)


def survey_families(*, organisation_ids: list[int], root_id: int | None = None) -> list[Family]:
    """The survey families of these organisations (or the one family), newest version first, in one query."""
    versions = Survey.objects.filter(organisation_id__in=organisation_ids).select_related(
        "organisation"
    )
    if root_id is not None:
        versions = versions.filter(Q(pk=root_id) | Q(family_id=root_id))
    versions = versions.annotate(
        submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False))
    ).order_by("-version")
    grouped: dict[int, list[Survey]] = defaultdict(list)
    for version in versions:
        grouped[version.root_id].append(version)
    families = []
    for group in grouped.values():
        published = next((v for v in group if v.status == Survey.Status.PUBLISHED), None)
        families.append(Family(group[0], published, sum(v.submitted for v in group), group))
    return sorted(
        families, key=lambda f: (f.newest.organisation.name, f.newest.name.lower(), f.newest.pk)
    )


def rules_of(organisations: list[Organisation]) -> QuerySet[InvitationRule]:
    """The invitation rules of these organisations, by organisation name, oldest first."""
    return (
        InvitationRule.objects.filter(organisation__in=organisations)
        .select_related("organisation", "journey_type", "touchpoint", "survey")
        .order_by("organisation__name", "pk")
    )


def rule_of(organisations: list[Organisation], pk: int) -> InvitationRule | None:
    return (
        InvitationRule.objects.filter(pk=pk, organisation__in=organisations)
        .select_related("organisation")
        .first()
    )


def contact_policy_of(chain_id: int) -> ContactPolicy | None:
    return ContactPolicy.objects.filter(chain_id=chain_id).first()


def builder_questions(survey: Survey) -> list[Question]:
    """The version's questions in order, with what the builder shows of each."""
    return list(survey.questions.select_related("touchpoint__journey_type", "condition_question"))


def invitation_response(invitation: Invitation) -> Response | None:
    """The invitation's response so far, with its answers (the survey page shows them again)."""
    return Response.objects.filter(invitation=invitation).prefetch_related("answers").first()


def invitation_with_token(token: str) -> Invitation | None:
    """The invitation whose link carries this token, with what its pages show."""
    return (
        Invitation.objects.select_related("organisation", "customer", "journey__journey_type")
        .filter(token_hash=hash_token(token))
        .first()
    )
