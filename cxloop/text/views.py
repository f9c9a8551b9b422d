"""The topics page: taxonomy editor, tagged answers with correction, emerging topics."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.lib.auth import AuthenticatedHttpRequest
from cxloop.orgs.access import access_organisation
from cxloop.orgs.capabilities import Capability, can
from cxloop.orgs.models import Organisation
from cxloop.text import queries, services
from cxloop.text.models import AnalysedText, Topic

PERIODS = (30, 90, 180, 365)


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        return 90
    return days if days in PERIODS else 90


def may_edit(user: AbstractBaseUser | AnonymousUser, organisation: Organisation) -> bool:
    """Whether the user may change the taxonomy and correct tags: admins, journey owners and analysts."""
    return can(user, Capability.EDIT_TOPICS, organisation)


def _editable(request: HttpRequest, slug: str) -> Organisation:
    organisation = access_organisation(request.user, slug)
    if not may_edit(request.user, organisation):
        raise Http404
    return organisation


@login_required
def topics_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What customers write about: topics with sentiment, tagged answers, emerging topics."""
    organisation = access_organisation(request.user, slug)
    services.ensure_taxonomy(organisation=organisation)
    days, now = _days(request), timezone.now()
    # Normally the sweeper stored these already; this stores what it has not reached yet, once.
    services.embed_recent(now=now, organisation=organisation, limit=None)
    since = now - timedelta(days=days)
    topic = None
    if request.GET.get("topic"):
        topic = Topic.objects.filter(organisation=organisation, slug=request.GET["topic"]).first()
    context = {
        "organisation": organisation,
        "days": days,
        "periods": PERIODS,
        "summary": queries.topic_summary(organisation=organisation, since=since),
        "topics": queries.topics_for(organisation=organisation),
        "selected": topic,
        "answers": queries.tagged_answers(organisation=organisation, since=since, topic=topic),
        "emerging": queries.emerging_topics(organisation=organisation, now=now, days=min(days, 30)),
        "classifiers": queries.classifiers_for(organisation=organisation),
        "can_edit": may_edit(request.user, organisation),
    }
    return render(request, "text/topics.html", context)


@login_required
@require_POST
def topic_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a topic or change one."""
    organisation = _editable(request, slug)
    topic = None
    if request.POST.get("topic"):
        topic = get_object_or_404(Topic, organisation=organisation, pk=request.POST["topic"])
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("A topic needs a name."))
        return redirect("text_topics", slug=slug)
    services.save_topic(
        organisation=organisation,
        topic=topic,
        name=name,
        keywords=request.POST.get("keywords", "").replace("\n", ",").split(","),
        is_active=request.POST.get("is_active", "on") == "on",
    )
    messages.success(request, _("Topic saved; new answers are tagged with it."))
    return redirect("text_topics", slug=slug)


@login_required
@require_POST
def correct(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Set the topics of one answer by hand."""
    organisation = _editable(request, slug)
    analysed = get_object_or_404(AnalysedText, organisation=organisation, pk=pk)
    topic_ids = [int(v) for v in request.POST.getlist("topics") if v.isdigit()]
    services.correct_tags(analysed_text=analysed, topic_ids=topic_ids, user=request.user)
    messages.success(request, _("Topics corrected."))
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("text_topics", slug=slug)


@login_required
@require_POST
def train(request: HttpRequest, slug: str) -> HttpResponse:
    """Train the organisation's classifiers on its corrected answers and NPS scores."""
    organisation = _editable(request, slug)
    trained = services.train_classifiers(organisation=organisation)
    if trained:
        messages.success(request, _("Classifiers trained: %(n)s.") % {"n": len(trained)})
    else:
        messages.info(
            request, _("Not enough corrected answers or scores yet to train a classifier.")
        )
    return redirect("text_topics", slug=slug)
