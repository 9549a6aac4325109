"""The French catalogue: complete, compiled, and what a French user sees.

French is the product's default language and DESIGN.md §3 wants the .po
files complete. English needs no catalogue (the msgids are English), so the
one to keep complete is relance/locale/fr. When a test here fails after new
strings were added: `make messages`, translate what is empty or `#, fuzzy`,
then `make messages` again (it compiles the .mo, which is committed).
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from relance.accounts.models import Role
from relance.contacts.models import (
    Contact,
    ContactRole,
    MediaList,
    Outlet,
    OutletKind,
    Periodicity,
)

SOURCE = Path(settings.BASE_DIR) / "relance"
LOCALE = SOURCE / "locale" / "fr" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"


# --- A small .po reader (polib is not a dependency) ----------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr_plural.values()) if self.msgid_plural else [self.msgstr]


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header included, obsolete ones (#~) left out."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if target is not None and target[0].startswith("msgstr"):
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue  # comments, references, previous msgids, obsolete entries
        elif line.startswith('"'):
            assert target is not None, f"{path.name}:{number}: string outside an entry"
            _append(entry, target, ast.literal_eval(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path.name}:{number}: cannot read {line!r}"
            keyword, index, text = match.groups()
            if keyword in ("msgctxt", "msgid") and target and target[0].startswith("msgstr"):
                finish()
            if target is None:
                entry.line = number
            name = "msgstr" if index is not None else keyword
            target = (name, int(index) if index is not None else None)
            _append(entry, target, ast.literal_eval(text))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    name, index = target
    if index is not None:
        entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def nplurals(header: Entry) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr)
    assert match, "the catalogue's header has no Plural-Forms"
    return int(match.group(1))


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    assert PO.exists(), "no French catalogue: run `make messages`"
    header, *messages = read_po(PO)
    assert header.msgid == "", "the catalogue must start with its header"
    return header, messages


def where(entry: Entry) -> str:
    return f"django.po:{entry.line} {entry.msgid[:70]!r}"


# --- (a) complete, no fuzzy guesses, placeholders kept ---------------------------------


def test_the_catalogue_has_messages(catalogue):
    header, messages = catalogue
    assert len(messages) > 500
    assert "Language: fr" in header.msgstr
    assert "fuzzy" not in header.flags


def test_no_message_is_untranslated(catalogue):
    header, messages = catalogue
    forms = nplurals(header)
    empty = [
        where(e)
        for e in messages
        if not all(e.translations) or (e.msgid_plural and len(e.msgstr_plural) != forms)
    ]
    assert not empty, f"{len(empty)} untranslated message(s):\n" + "\n".join(empty)


def test_no_message_is_a_fuzzy_guess(catalogue):
    """makemessages guesses new strings from near ones and marks them fuzzy;
    gettext ignores them, so the page would show English."""
    _header, messages = catalogue
    fuzzy = [where(e) for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy (unchecked) translations:\n" + "\n".join(fuzzy)


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}|</?[a-z][^>]*>")


def test_translations_keep_placeholders_and_markup(catalogue):
    _header, messages = catalogue
    wrong = []
    for entry in messages:
        expected = set(_PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in entry.translations:
            if set(_PLACEHOLDER.findall(text)) != expected:
                wrong.append(where(entry))
    assert not wrong, "placeholders or tags differ from the English:\n" + "\n".join(wrong)


def test_french_typography_is_consistent(catalogue):
    """One convention (see the catalogue's header): a narrow no-break space
    before : ; ? ! and inside « », and typographic apostrophes."""
    _header, messages = catalogue
    wrong = []
    for entry in messages:
        for text in entry.translations:
            if re.search(r"[ \u00a0][:;?!]|«[ \u00a0]|[ \u00a0]»|'|“|”", text):
                wrong.append(where(entry))
    assert not wrong, "use U+202F before : ; ? ! and inside « », and ’:\n" + "\n".join(wrong)


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext is not installed")
def test_msgfmt_accepts_the_catalogue():
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "--statistics", "-o", "-", str(PO)],
        capture_output=True,
        text=False,
        check=False,
    )
    report = result.stderr.decode()
    assert result.returncode == 0, report
    assert "untranslated" not in report and "fuzzy" not in report, report


# --- (b) the compiled .mo is the .po, and the code's strings are in it ------------------


def _mo_key(entry: Entry, form: int | None = None):
    msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
    return msgid if form is None else (msgid, form)


def test_the_compiled_catalogue_matches_the_po(catalogue):
    """The .mo is committed (installs need no gettext): it must say exactly
    what the .po says, or French users see stale text."""
    _header, messages = catalogue
    assert MO.exists(), "django.mo is missing: run `make messages`"
    with MO.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)._catalog  # type: ignore[attr-defined]
    expected = {}
    for entry in messages:
        if entry.msgid_plural:
            for form, text in entry.msgstr_plural.items():
                expected[_mo_key(entry, form)] = text
        else:
            expected[_mo_key(entry)] = entry.msgstr
    compiled = {k: v for k, v in compiled.items() if k != ""}
    stale = sorted(str(k) for k in expected if compiled.get(k) != expected[k])
    extra = sorted(str(k) for k in compiled if k not in expected)
    assert not stale, "django.mo is older than django.po; run `make messages`:\n" + "\n".join(
        stale[:20]
    )
    assert not extra, "django.mo has messages the .po no longer has:\n" + "\n".join(extra[:20])


_GETTEXT_CALLS = {
    "_": (0, None, None),
    "gettext": (0, None, None),
    "gettext_lazy": (0, None, None),
    "gettext_noop": (0, None, None),
    "ngettext": (0, 1, None),
    "ngettext_lazy": (0, 1, None),
    "pgettext": (1, None, 0),
    "pgettext_lazy": (1, None, 0),
    "npgettext": (1, 2, 0),
    "npgettext_lazy": (1, 2, 0),
}


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_msgids() -> set[tuple[str | None, str]]:
    """(context, msgid) of the gettext calls with literal arguments in the code,
    read with ast (makemessages, which needs gettext, would take seconds)."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in _GETTEXT_CALLS:
                continue
            singular, plural, context = _GETTEXT_CALLS[name]
            if len(node.args) <= max(singular, plural or 0, context or 0):
                continue
            msgid = _literal(node.args[singular])
            ctx = _literal(node.args[context]) if context is not None else None
            if msgid and (context is None or ctx is not None):
                found.add((ctx, msgid))
    return found


_TEMPLATE_TRANSLATE = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)(?P<rest>[^%]*)%}"""
)


def template_msgids() -> set[tuple[str | None, str]]:
    """(context, msgid) of the one-line {% translate "…" %} tags of the templates."""
    found = set()
    for path in SOURCE.rglob("*.html"):
        for match in _TEMPLATE_TRANSLATE.finditer(path.read_text(encoding="utf-8")):
            rest = match.group("rest")
            context = re.search(r"""context\s+(["'])(.*?)\1""", rest)
            found.add((context.group(2) if context else None, match.group("msgid")))
    return found


def test_every_literal_string_of_the_code_is_in_the_catalogue(catalogue):
    """A cheap stand-in for running makemessages: the literal gettext calls
    of the Python code and the one-line translate tags of the templates
    (blocktranslate is left to makemessages)."""
    _header, messages = catalogue
    known = {(e.msgctxt, e.msgid) for e in messages} | {
        (e.msgctxt, e.msgid_plural) for e in messages if e.msgid_plural
    }
    missing = sorted(
        f"{msgid!r}" + (f" (context {ctx!r})" if ctx else "")
        for ctx, msgid in python_msgids() | template_msgids()
        if (ctx, msgid) not in known
    )
    assert not missing, (
        f"{len(missing)} string(s) of the code are not in the French catalogue; "
        "run `make messages` and translate them:\n" + "\n".join(missing)
    )


# --- (c) what a French user sees -----------------------------------------------------


def test_choice_labels_are_french():
    with translation.override("fr"):
        assert ContactRole.ASSIGNMENT_EDITOR.label == "Affectation (desk)"
        assert ContactRole.RESEARCHER.label == "Recherchiste"
        assert Role.MANAGER.label == "Chef de projet"
        assert Role.INTERN.label == "Stagiaire"
        assert Periodicity.WEEKLY.label == "Hebdomadaire"
        assert OutletKind.WIRE.label == "Agence de presse"
    with translation.override("en"):
        assert ContactRole.ASSIGNMENT_EDITOR.label == "Assignment editor"


def test_french_plurals_treat_zero_and_one_as_singular():
    with translation.override("fr"):
        for count, word in [(0, "contact"), (1, "contact"), (2, "contacts"), (1500, "contacts")]:
            text = translation.ngettext("%(counter)s contact", "%(counter)s contacts", count)
            assert text % {"counter": count} == f"{count} {word}"


def test_french_exports_reimport_under_their_own_columns_and_values():
    """The importer recognises our export's headers and choice labels in
    every interface language: a French header or label must not collide with
    a word that means something else."""
    from relance.contacts.exporting import COLUMNS
    from relance.contacts.importing.headers import recognise
    from relance.contacts.importing.mapping import TRANSLATE

    with translation.override("fr"):
        for _key, header, target in COLUMNS:
            assert recognise(str(header))[0] == target, str(header)
        for choices, column in [
            (ContactRole, "role"),
            (OutletKind, "outlet_kind"),
            (Periodicity, "outlet_periodicity"),
        ]:
            for value, label in choices.choices:
                assert TRANSLATE[column](str(label)) == value, str(label)


class _VisibleText(HTMLParser):
    """The text a reader meets: text nodes and the attributes shown or read
    aloud, each stripped; scripts and styles left out."""

    ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value and value.strip():
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def french_manager(cast, login):
    manager = cast["manager"]
    manager.language = "fr"
    manager.save()
    outlet = Outlet.objects.create(
        name="Le Devoir", kind="print", periodicity="daily", country="CA", city="Montréal"
    )
    Contact.objects.create(
        first_name="Lise", last_name="Roy", outlet=outlet, role="assignment_editor"
    )
    MediaList.objects.create(name="Salons auto", kind="static")
    return login("manager")


# page -> French the page must show
FRENCH_PAGES = {
    "/": ["Accueil", "Rechercher des contacts", "Activité récente"],
    "/contacts/": ["Rechercher et filtrer les contacts", "Effacer les filtres", "Affectation"],
    "/outlets/": ["Rechercher et filtrer les médias", "Presse écrite", "Quotidien"],
    "/lists/": ["Nouvelle liste", "Liste statique"],
    "/profile/": ["Votre profil", "Identifiant", "Fuseau horaire"],
}


@pytest.mark.parametrize("path", list(FRENCH_PAGES))
def test_a_french_user_sees_french_pages(french_manager, cast, catalogue, path):
    response = french_manager.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    # The top bar on every page: navigation, the user's role, logging out.
    for text in ["Médias", "Listes", "Chef de projet", "Se déconnecter", *FRENCH_PAGES[path]]:
        assert text in html, f"{text!r} missing from {path}"

    # No English that the catalogue translates is left on the page. People's
    # names are data ("Intern" is both a msgid and the intern's first name),
    # and the language switcher names each language in that language.
    _header, messages = catalogue
    english = {e.msgid for e in messages if not e.msgid_plural and e.msgstr != e.msgid}
    names = {u.get_full_name() for u in cast.values()} | {u.username for u in cast.values()}
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(name))
    leftovers = sorted({t for t in visible_texts(html) if t in english and t not in names})
    assert not leftovers, f"English left on {path}: {leftovers}"


def test_the_login_page_follows_the_browser_language(db):
    french = HttpClient(headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    html = french.get(reverse("login")).content.decode()
    assert '<html lang="fr">' in html
    assert "Se connecter" in html and "Mot de passe oublié" in html
    assert "Forgot your password?" not in html

    english = HttpClient(headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Forgot your password?" in english.get(reverse("login")).content.decode()


def test_the_language_cookie_wins_over_the_browser(db):
    http = HttpClient(headers={"accept-language": "en-US,en;q=0.9"})
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = http.get(reverse("login")).content.decode()
    assert "Se connecter" in html and "Log in" not in html


def test_french_is_the_default_without_any_preference(db, settings):
    settings.LANGUAGE_CODE = "fr"  # the product's default; the test suite runs in English
    html = HttpClient().get(reverse("login")).content.decode()
    assert '<html lang="fr">' in html and "Se connecter" in html
