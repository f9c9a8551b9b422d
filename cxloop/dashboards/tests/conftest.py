"""The dashboard tests read labels in English: the UI's source language, chosen with the switch."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import override_settings
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@contextmanager
def english_ui() -> Iterator[None]:
    """What the `english` fixture does, for module-scoped fixtures that build a shared world."""
    with override_settings(LANGUAGE_CODE="en"), translation.override("en"):
        yield
