"""Every text staff or customers read is marked for translation, and every marked text has its Dutch.

Two checks: (1) no template shows words outside {% translate %}/{% blocktranslate %}; (2) Django's
own extraction (`makemessages`, run on a copy of the tree so the real files stay as they are) finds
no message without a Dutch msgstr in the project's or an app's django.po.
"""

import ast
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)  # the cxloop package
# cxloop's own templates; a test's stand-in site (the OpenID provider of the sign-on tests) is not cxloop.
TEMPLATES = sorted(
    p
    for p in ROOT.rglob("templates/**/*")
    if p.suffix in {".html", ".txt"} and "tests" not in p.relative_to(ROOT).parts
)

# Words that are the same in Dutch and English, names and notations: not translated.
ALLOWED = {
    "cxloop",
    "NPS",
    "eNPS",
    "CSAT",
    "CES",
    "API",
    "CSV",
    "XLSX",
    "JSON",
    "SLA",
    "KPI",
    "IBAN",
    "Nederlands",
    "English",
    "OK",
    "ID",
    "XES",
    "Webhook",
    "NL",
    "Fisher",
    "min",
    "EN",
}
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "summary"}
MARK = "\u2063"  # where a variable or tag stood (an invisible separator: HTML's parser takes it inside a tag too)
TRANSLATE_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim", **TRANSLATE_BLOCKS}


def _without_template_code(source: str) -> str:
    """The template's own text, each variable, tag and translated block replaced by MARK."""
    parts, closing = [], None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            closing = SKIPPED_BLOCKS.get(name)
        parts.append(MARK)
    return "".join(parts)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        self.found += [value or "" for name, value in attrs if name in VISIBLE_ATTRIBUTES]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.found.append(data)


def _is_words(piece: str) -> bool:
    piece = piece.strip(" \t\n·—–-:;,.()[]/|%+×→←↑↓▲▼?!'\"“”‘’…")
    words = re.findall(r"[A-Za-zÀ-ÿ]{2,}", piece)
    return bool(words) and not all(word in ALLOWED for word in words)


def untranslated_texts(template: Path) -> list[str]:
    """The visible pieces of text in a template that are not marked for translation."""
    source = template.read_text()
    code_free = _without_template_code(source)
    if template.suffix == ".txt":
        pieces = [code_free]
    else:
        parser = _VisibleText()
        parser.feed(code_free)
        pieces = parser.found
    return [
        " ".join(piece.split()) for text in pieces for piece in text.split(MARK) if _is_words(piece)
    ]


def test_the_scanner_finds_unmarked_text_and_passes_marked_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Cases" %}</h1><p title="Open">{{ n }} open cases</p>'
        "{% blocktranslate %}Due {{ when }}{% endblocktranslate %}<td>NPS</td> <b>12 %</b>"
        '<script>let x = "not visible";</script>{# a comment #}'
    )
    assert untranslated_texts(page) == ["Open", "open cases"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_show_no_text_outside_translate(template):
    assert untranslated_texts(template) == []


# ---- every marked message has its Dutch -------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def po_entries(path: Path) -> dict[tuple[str, str], tuple[list[str], bool]]:
    """(msgctxt, msgid) → (msgstrs, fuzzy) of a .po file; enough of the format for Django's files."""
    entries: dict[tuple[str, str], tuple[list[str], bool]] = {}
    for block in path.read_text().split("\n\n"):
        fields: dict[str, str] = {}
        key, fuzzy = None, False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"') and key is not None:
                fields[key] += _unquote(line)
            else:
                key, _, rest = line.partition(" ")
                fields[key] = _unquote(rest)
        if "msgid" in fields and fields["msgid"]:
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries[(fields.get("msgctxt", ""), fields["msgid"])] = (strs, fuzzy)
    return entries


def _translations(paths: list[Path]) -> dict[tuple[str, str], tuple[list[str], bool]]:
    merged: dict[tuple[str, str], tuple[list[str], bool]] = {}
    for path in paths:
        for key, (strs, fuzzy) in po_entries(path).items():
            if key not in merged or (not fuzzy and all(strs)):
                merged[key] = (strs, fuzzy)
    return merged


GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
}


def python_msgids() -> set[tuple[str, str]]:
    """(context, msgid) of every gettext call in the Python code, also inside f-strings, which
    xgettext 0.21 does not look into (a chart's `f"...{_('hidden')}..."` went untranslated)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if (
                name not in GETTEXT_NAMES
                or not args
                or not all(isinstance(a, str) for a in args[:1])
            ):
                continue
            if name.startswith("pgettext") and len(args) > 1 and isinstance(args[1], str):
                found.add((args[0], args[1]))
            elif not name.startswith("pgettext"):
                found.add(("", args[0]))
    return found


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_every_message_has_a_dutch_translation(tmp_path, settings):
    """At run time the project's and the apps' catalogues are merged, so a msgid may be in any of them."""
    copy = tmp_path / "cxloop"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    settings.LOCALE_PATHS = [copy / "locale"]  # makemessages writes here and into the copy's apps
    here = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["nl"], verbosity=0)
    finally:
        os.chdir(here)
    existing = _translations(sorted(ROOT.rglob("locale/nl/LC_MESSAGES/django.po")))
    extracted = _translations(sorted(copy.rglob("locale/nl/LC_MESSAGES/django.po")))
    missing = sorted(
        msgid
        for (context, msgid) in set(extracted) | python_msgids()
        if (context, msgid) not in existing
        or existing[(context, msgid)][1]
        or not all(existing[(context, msgid)][0])
    )
    assert missing == [], "\n".join(missing)


def test_every_form_field_has_a_translated_label():
    """A ModelForm field without a label shows the model field's name ("Quiet start") in English."""
    import importlib
    import inspect
    import pkgutil

    from django import forms
    from django.utils.functional import Promise

    import cxloop

    plain = []
    for module in pkgutil.walk_packages(cxloop.__path__, "cxloop."):
        if any(part in module.name for part in (".tests", ".migrations", ".management")):
            continue
        for _, form in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if not issubclass(form, forms.BaseForm) or not form.__module__.startswith("cxloop."):
                continue
            plain += [
                f"{form.__module__}.{form.__name__}.{name}"
                for name, field in form.base_fields.items()
                if field.label is not None and not isinstance(field.label, Promise)
            ]
    assert sorted(set(plain)) == []
