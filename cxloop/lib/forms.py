"""Typed access to a form's fields: `form.fields` holds plain `Field`s to a type checker."""

from typing import TypeVar

from django import forms

FieldT = TypeVar("FieldT", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """The form's field `name`, which the form declares as a `kind` (e.g. a ModelChoiceField)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(
            f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}"
        )
    return field
