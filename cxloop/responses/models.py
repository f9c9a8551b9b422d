"""Survey responses and their answers, attributed to everything the interaction knows."""

from django.db import models

from cxloop.customers.models import Customer
from cxloop.journeys.models import Channel, Interaction, Journey, JourneyType, Touchpoint
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.surveys.models import Invitation, Question, Survey


class Response(models.Model):
    """A customer's answers to one invitation; partial until submitted."""

    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="responses")
    # Attribution copied from the interaction at answer time, so dashboards need no joins back.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="responses")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    journey = models.ForeignKey(Journey, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    journey_type = models.ForeignKey(
        JourneyType, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="responses")
    unit_path = models.CharField(max_length=500, blank=True, db_index=True)
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="responses")
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    language = models.CharField(max_length=2, default="nl")
    nps = models.SmallIntegerField(null=True, blank=True, db_index=True)
    csat = models.SmallIntegerField(null=True, blank=True)
    ces = models.SmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # Set in the same transaction that adds the response to the dashboards' daily roll-up.
    counted = models.BooleanField(default=False, db_index=True)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.survey} by {self.customer} (NPS {self.nps})"


class Answer(models.Model):
    """The answer to one question of a response: a number or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    values = models.JSONField(default=list, blank=True)  # multiple choice
    chosen_touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="chosen_in_answers"
    )
    # Who the answer is about: the response's interaction, or the partner's at the question's touchpoint.
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")
    employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number if self.number is not None else self.text[:40]}"
