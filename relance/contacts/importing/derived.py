"""The derived columns of imported contacts (`search_document`, `name_key`),
computed at import speed and checked against relance.contacts.documents.

`contact_document` folds each field on its own, joins the words with single
spaces, then appends facet tokens; `name_key` sorts the words of both names.
Folding is the costly part (Unicode decomposition, character by character),
and most of what a row holds repeats across a file: first and last names,
titles, outlets, beats, the facet tokens of a role at an outlet. So this
module folds each distinct value once and assembles each row's document from
the pieces, exactly as the demo builder does for a million contacts.

Exactness is checked, not assumed: the first rows of every batch, then one
in every few hundred, are also computed by `contact_document(ContactFacts)`
and `contact_name_key`; on any difference the batch is recomputed with those
functions (slower, still correct), so a change in documents.py can make the
import slower but never wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from relance.contacts.documents import (
    ContactFacts,
    beat_key,
    contact_document,
    contact_facets,
    contact_name_key,
    facet,
)
from relance.lib import text as _text
from relance.lib.text import search_document, words

if TYPE_CHECKING:
    from relance.contacts.importing.checking import OutletRef

CHECK_FIRST = 20
CHECK_EVERY = 499
_MEMO_LIMIT = 100_000


def facts_for(
    values: dict[str, Any], ref: OutletRef | None, outlet_id: int | None = None
) -> ContactFacts:
    """The indexable facts of a contact the import creates (no show and no
    relationships yet). `outlet_id`: the outlet's id once written, when the
    reference does not carry it yet."""
    return ContactFacts(
        first_name=values["first_name"],
        last_name=values["last_name"],
        title=values["title"],
        notes=values["notes"],
        role=values["role"],
        language=values["language"],
        vip=values["vip"],
        opted_out=values["opted_out"],
        do_not_contact=values["do_not_contact"],
        emails=[e[0] for e in values["emails"]],
        beats=values["beats"],
        outlet_id=(outlet_id or ref.index_id) if ref else None,
        outlet_name=ref.name if ref else None,
        outlet_kind=ref.kind if ref else "",
        outlet_periodicity=ref.periodicity if ref else "",
        outlet_country=ref.country if ref else "",
        outlet_region=ref.region if ref else "",
    )


def _document_words(value: str) -> str:
    """search_document(value); for ASCII text (e-mail addresses, most notes)
    folding is only lower-casing, done without Unicode decomposition."""
    if value.isascii():
        return " ".join(_text._WORD.findall(value.lower()))
    return search_document(value)


class Deriver:
    """Computes (name_key, search_document) for checked rows, remembering the
    folded form of every value it has seen."""

    def __init__(self) -> None:
        self._words: dict[str, str] = {}
        self._word_lists: dict[str, list[str]] = {}
        self._facets: dict[tuple, str] = {}
        self._beat_tokens: dict[str, str] = {}
        self.count = 0
        self.exact = False  # set when a check failed: use documents.py directly

    def derive(self, values: dict[str, Any], ref: OutletRef | None) -> tuple[str, str]:
        self.count += 1
        if self.exact:
            return self.reference(values, ref)
        name_key = self._name_key(values["first_name"], values["last_name"])
        document = self._document(values, ref)
        checked = self.count <= CHECK_FIRST or self.count % CHECK_EVERY == 0
        if checked and (name_key, document) != self.reference(values, ref):
            self.exact = True
            return self.reference(values, ref)
        return name_key, document

    @staticmethod
    def reference(values: dict[str, Any], ref: OutletRef | None) -> tuple[str, str]:
        return (
            contact_name_key(values["first_name"], values["last_name"]),
            contact_document(facts_for(values, ref)),
        )

    def _folded(self, text: str | None) -> str:
        if not text:
            return ""
        try:
            return self._words[text]
        except KeyError:
            if len(self._words) > _MEMO_LIMIT:
                self._words.clear()
            folded = self._words[text] = search_document(text)
            return folded

    def _word_list(self, text: str) -> list[str]:
        try:
            return self._word_lists[text]
        except KeyError:
            if len(self._word_lists) > _MEMO_LIMIT:
                self._word_lists.clear()
            found = self._word_lists[text] = words(text)
            return found

    def _name_key(self, first: str, last: str) -> str:
        # words("a b") == words("a") + words("b"): the space ends a word.
        return " ".join(sorted(self._word_list(first) + self._word_list(last)))

    def _document(self, values: dict[str, Any], ref: OutletRef | None) -> str:
        folded = self._folded
        beats = values["beats"]
        parts = (
            folded(values["first_name"]),
            folded(values["last_name"]),
            folded(values["title"]),
            folded(ref.name) if ref else "",
            " ".join(p for p in map(folded, beats) if p),
            _document_words(values["notes"]) if values["notes"] else "",
            _document_words(" ".join(e[0] for e in values["emails"])),
        )
        text = " ".join(p for p in parts if p)
        tokens = self._base_facets(values, ref)
        if beats:
            tokens += " " + " ".join(self._beat_token(b) for b in beats)
        return f"{text} {tokens}".strip()

    def _base_facets(self, values: dict[str, Any], ref: OutletRef | None) -> str:
        key = (
            values["role"],
            values["language"],
            values["vip"],
            values["opted_out"] or values["do_not_contact"],
            ref.key if ref else None,
        )
        try:
            return self._facets[key]
        except KeyError:
            tokens = contact_facets(
                ContactFacts(
                    role=values["role"],
                    language=values["language"],
                    vip=values["vip"],
                    opted_out=values["opted_out"],
                    do_not_contact=values["do_not_contact"],
                    outlet_id=ref.index_id if ref else None,
                    outlet_kind=ref.kind if ref else "",
                    outlet_periodicity=ref.periodicity if ref else "",
                    outlet_country=ref.country if ref else "",
                    outlet_region=ref.region if ref else "",
                )
            )
            joined = self._facets[key] = " ".join(tokens)
            return joined

    def _beat_token(self, name: str) -> str:
        try:
            return self._beat_tokens[name]
        except KeyError:
            token = self._beat_tokens[name] = facet("beat", beat_key(name))
            return token
