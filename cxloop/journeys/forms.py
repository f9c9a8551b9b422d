"""The chain set-up pages' forms: journey types, touchpoints, channels, agreements, partners."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cxloop.journeys.models import Channel, DataSharingAgreement, JourneyType, Touchpoint
from cxloop.lib.forms import form_field
from cxloop.orgs.models import Organisation

LABELS = {"name": _("Name"), "slug": _("Slug"), "position": _("Position")}


class _SlugUniqueIn(forms.ModelForm):
    """A name and a slug; the slug unique among the siblings `self.siblings` (other rows excluded)."""

    siblings: QuerySet[Any]  # set by each form's __init__

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        others = self.siblings.filter(slug=slug)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("This slug is already in use here."))
        return slug


class JourneyTypeForm(_SlugUniqueIn):
    class Meta:
        model = JourneyType
        fields = ["name", "slug"]
        labels = LABELS

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = JourneyType.objects.filter(chain_id=organisation.chain_id)


class ChannelForm(_SlugUniqueIn):
    class Meta:
        model = Channel
        fields = ["name", "slug"]
        labels = LABELS

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = Channel.objects.filter(chain_id=organisation.chain_id)


class TouchpointForm(_SlugUniqueIn):
    class Meta:
        model = Touchpoint
        fields = ["name", "slug", "position"]
        labels = LABELS

    def __init__(self, *args, journey_type: JourneyType, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = Touchpoint.objects.filter(journey_type=journey_type)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = DataSharingAgreement
        fields = ["organisation", "visibility", "owner_case_access"]
        labels = {"organisation": _("Partner"), "visibility": _("What the partner sees")}

    def __init__(self, *args, owner: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the owner's partners in the same chain.
        form_field(
            self, "organisation", forms.ModelChoiceField
        ).queryset = Organisation.objects.filter(chain_id=owner.chain_id).exclude(pk=owner.pk)


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Slug"), help_text=_("Short name in web addresses, unique in cxloop")
    )
    admin_email = forms.EmailField(label=_("E-mail address of the partner's admin"))

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Organisation.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This slug is already in use here."))
        return slug
