"""Forms of the customers' pages: the chain's contact sharing."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ContactSharingForm(forms.Form):
    partners_use_owner_details = forms.BooleanField(
        required=False,
        label=_("Partners may use contact details supplied by the journey owner"),
        help_text=_(
            "Off: every organisation messages a customer only at the e-mail address and phone number it "
            "supplied itself. On: a partner without its own may use the journey owner's, for messages "
            "about the owner's journeys. A partner's details are never used for the owner's messages."
        ),
    )
