"""The set-based contact generator: SQL that SQLite and PostgreSQL both run.

Python cannot build a million contacts (five million rows) at 50,000
contacts a second on a small machine; the database engine can. The spec
tables (`relance.demo.spec`) are loaded as temporary tables, and each target
table is filled with one INSERT … SELECT joining them:

* `demo_stage` picks, for every new contact id, its allocation (outlet and
  place in the newsroom), names, profile, beats and dates. Choices come from
  a small integer hash of the id (`hash_sql`): deterministic for a seed, the
  same on both engines, and no Python per row.
* contacts, e-mails, phones, beats and relationships are then joins of the
  stage with the pools.

Within an allocation the n-th contact takes the name pair
`(pair_off + n * pair_step) mod (first names × last names)`: a permutation,
so two contacts of one outlet never share a name, and an address
(prenom.nom@outlet-domain.example) is unique without checking.
"""

from __future__ import annotations

from dataclasses import dataclass

from relance.demo.pools import PRIME, HashKeys
from relance.demo.spec import Table

# Two hashes per contact (HashKeys.fields): the first picks the profile, the
# beats and the dates (in disjoint bit ranges), the second the phones.
H_PROFILE, H_PHONE = range(2)
COMBOS = 16  # spec.COMBOS_PER_ARCHETYPE
PROFILES = 512  # pools.PROFILES_PER_GROUP
TIMESTAMPS = 1024  # pools.TIMESTAMPS


@dataclass(frozen=True)
class Dialect:
    vendor: str  # "sqlite" or "postgresql"

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    def column_type(self, kind: str) -> str:
        if self.pg:
            return {
                "int": "bigint",
                "text": "text",
                "bool": "boolean",
                "date": "date",
                "ts": "timestamptz",
            }[kind]
        return {"int": "INTEGER", "bool": "INTEGER"}.get(kind, "TEXT")

    def le(self, a: str, b: str) -> str:
        """a <= b in code-point order, as Python's sorted() compares words."""
        return f'{a} COLLATE "C" <= {b}' if self.pg else f"{a} <= {b}"

    def json(self, expr: str) -> str:
        return f"CAST({expr} AS jsonb)" if self.pg else expr


def literal(value: object) -> str:
    """An SQL literal for the few constants the statements carry."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text.replace("'", "''") + "'"


def create_table(table: Table, d: Dialect) -> str:
    cols = ", ".join(f"{name} {d.column_type(kind)}" for name, kind in table.columns)
    if not d.pg and len(table.key) == 1 and table.columns[0] == (table.key[0], "int"):
        # A rowid table: lookups by key are the cheapest SQLite has.
        cols = cols.replace(f"{table.key[0]} INTEGER", f"{table.key[0]} INTEGER PRIMARY KEY", 1)
        return f"CREATE TEMP TABLE {table.name} ({cols})"
    return f"CREATE TEMP TABLE {table.name} ({cols}, PRIMARY KEY ({', '.join(table.key)}))"


STAGE_COLUMNS = ("id", "aid", "fi", "li", "posid", "pid", "cid", "ti", "ph1", "ph2")


def create_stage(d: Dialect) -> str:
    kind = d.column_type("int")
    first = "id bigint PRIMARY KEY" if d.pg else "id INTEGER PRIMARY KEY"
    rest = ", ".join(f"{c} {kind}" for c in STAGE_COLUMNS[1:])
    return f"CREATE TEMP TABLE demo_stage ({first}, {rest})"


def hash_sql(keys: HashKeys, k: int, id_expr: str) -> str:
    """((x + c) * (x + d)) mod p with x = (id * a + b) mod p: a quadratic,
    so consecutive ids do not walk the pools in step. Every product stays
    below 2**63 (see pools.PRIME), in both engines' 64-bit integers."""
    x = f"(({id_expr}) * {keys.a} + {keys.b}) % {PRIME}"
    c, dd = keys.fields[k]
    return f"((({x}) + {c}) * (({x}) + {dd})) % {PRIME}"


def stage_sql(keys: HashKeys) -> str:
    cid = "(a.start_id + n.n)"
    pair = "((a.pair_off + (a.j0 + n.n) * a.pair_step) % (a.f_size * a.l_size))"
    h0, h1 = (f"({hash_sql(keys, k, cid)})" for k in (H_PROFILE, H_PHONE))
    return f"""
INSERT INTO demo_stage ({", ".join(STAGE_COLUMNS)})
SELECT {cid}, a.aid,
       a.f_base + {pair} / a.l_size,
       a.l_base + {pair} % a.l_size,
       p.posid,
       p.prof_base + {h0} % {PROFILES},
       a.combo_base + ({h0} / {PROFILES}) % {COMBOS},
       ({h0} / {PROFILES * COMBOS}) % {TIMESTAMPS},
       a.phone_base + {h1} % a.phone_n,
       a.phone_base + ({h1} % a.phone_n + 1 + ({h1} / a.phone_n) % (a.phone_n - 1)) % a.phone_n
FROM demo_alloc a
JOIN demo_nums n ON n.n < a.cnt
LEFT JOIN demo_tplpos tp ON tp.tpl = a.tpl AND tp.j = a.j0 + n.n
JOIN demo_pos p ON p.posid = COALESCE(tp.posid, a.default_posid)
ORDER BY 1"""


def _merge_key(d: Dialect) -> str:
    """name_key = the sorted words of first and last name: a merge of two
    sorted lists of at most two words each (pools keep names that short)."""
    a1, a2, b1, b2 = "f.k1", "f.k2", "l.k1", "l.k2"

    def j(*ws: str) -> str:
        return " || ' ' || ".join(ws)

    le = d.le
    return f"""CASE
  WHEN {a2} IS NULL AND {b2} IS NULL THEN
    CASE WHEN {le(a1, b1)} THEN {j(a1, b1)} ELSE {j(b1, a1)} END
  WHEN {a2} IS NULL THEN
    CASE WHEN {le(a1, b1)} THEN {j(a1, b1, b2)} WHEN {le(a1, b2)} THEN {j(b1, a1, b2)}
         ELSE {j(b1, b2, a1)} END
  WHEN {b2} IS NULL THEN
    CASE WHEN {le(b1, a1)} THEN {j(b1, a1, a2)} WHEN {le(b1, a2)} THEN {j(a1, b1, a2)}
         ELSE {j(a1, a2, b1)} END
  WHEN {le(a1, b1)} THEN
    CASE WHEN {le(a2, b1)} THEN {j(a1, a2, b1, b2)} WHEN {le(a2, b2)} THEN {j(a1, b1, a2, b2)}
         ELSE {j(a1, b1, b2, a2)} END
  ELSE
    CASE WHEN {le(b2, a1)} THEN {j(b1, b2, a1, a2)} WHEN {le(b2, a2)} THEN {j(b1, a1, b2, a2)}
         ELSE {j(b1, a1, a2, b2)} END
END"""


# The document: contact_document's field order (first name, last name,
# title, outlet, show, beats, notes, e-mail addresses), each part carrying a
# trailing space, then the facet tokens in contact_facets' order.
DOCUMENT_SQL = """rtrim(f.doc || l.doc
      || CASE WHEN f.gender = 1 THEN p.tdoc_f ELSE p.tdoc_m END
      || a.outlet_doc || COALESCE(sh.doc, '') || c.doc || pr.notes_doc
      || f.doc || l.doc || a.domain_doc)
   || ' ' ||
   rtrim(p.role_facet || a.lang_facet || pr.facets || a.outlet_facets || c.facets || pr.owners)"""

CONTACT_JOINS = """
FROM demo_stage s
JOIN demo_alloc a ON a.aid = s.aid
JOIN demo_fname f ON f.idx = s.fi
JOIN demo_lname l ON l.idx = s.li
JOIN demo_pos p ON p.posid = s.posid
LEFT JOIN demo_show sh ON sh.shid = a.show_base + p.show_ord
JOIN demo_profile pr ON pr.pid = s.pid
JOIN demo_combo c ON c.cid = s.cid
JOIN demo_ts t ON t.idx = s.ti"""


def _social(d: Dialect) -> str:
    # Handles carry a "_demo"/".demo" mark and URLs the .example domain, so
    # no demo handle can be a real account. Same text as json.dumps().
    x = "'\"x\": \"@' || f.handle || l.handle || '_demo\"'"
    linkedin = "'\"linkedin\": \"https://linkedin.example/in/' || f.slug || '-' || l.slug || '\"'"
    insta = "'\"instagram\": \"@' || f.handle || '.' || l.handle || '.demo\"'"
    bsky = "'\"bluesky\": \"@' || f.slug || '-' || l.slug || '.bsky.example\"'"
    expr = f"""CASE pr.social_kind
      WHEN 1 THEN '{{' || {x} || '}}'
      WHEN 2 THEN '{{' || {linkedin} || '}}'
      WHEN 3 THEN '{{' || {x} || ', ' || {linkedin} || '}}'
      WHEN 4 THEN '{{' || {insta} || ', ' || {bsky} || '}}'
      ELSE '{{}}' END"""
    return d.json(expr)


def contact_columns(d: Dialect, source: str) -> dict[str, str]:
    """Column -> SQL expression for contacts_contact."""
    return {
        "id": "s.id",
        "first_name": "f.name",
        "last_name": "l.name",
        "role": "p.role",
        "title": "CASE WHEN f.gender = 1 THEN p.title_f ELSE p.title_m END",
        "outlet_id": "a.outlet_id",
        "show_id": "sh.show_id",
        "language": "a.lang",
        "social": _social(d),
        "accepts_phone": "pr.accepts_phone",
        "preferred_channel": "pr.preferred_channel",
        "best_hours": "pr.best_hours",
        "paused_until": "pr.paused_until",
        "opted_out": "pr.opted_out",
        "opted_out_at": "CASE WHEN pr.opted_out THEN t.updated ELSE NULL END",
        # Opt-outs in the demo came from the journalists themselves.
        "opted_out_source": "CASE WHEN pr.opted_out THEN 'self' ELSE '' END",
        "do_not_contact": "pr.do_not_contact",
        "vip": "pr.vip",
        "notes": "pr.notes",
        "legal_basis": literal("legitimate_interest"),
        "source": literal(source),
        "name_key": _merge_key(d),
        "search_document": DOCUMENT_SQL,
        "created_by_id": "NULL",
        "created_at": "t.created",
        "updated_at": "t.updated",
        "erased_at": "NULL",
    }


def contacts_sql(columns: dict[str, str], low: int, high: int, documents: str = "") -> str:
    """The contacts with ids in [low, high]. `documents`: a table of (id,
    search_document, …) already generated (by the SQLite full-text thread)."""
    joins = CONTACT_JOINS
    if documents:
        columns = {**columns, "search_document": "dd.search_document"}
        joins += f"\nJOIN {documents} dd ON dd.id = s.id"
    names = ", ".join(columns)
    exprs = ",\n       ".join(columns.values())
    return (
        f"INSERT INTO contacts_contact ({names})\nSELECT {exprs}{joins}\n"
        f"WHERE s.id BETWEEN {low} AND {high}"
    )


def emails_sql() -> str:
    return """
INSERT INTO contacts_contactemail (contact_id, address, label, is_primary, status)
SELECT s.id, f.slug || '.' || l.slug || '@' || a.domain, '', TRUE, pr.email_status
FROM demo_stage s
JOIN demo_alloc a ON a.aid = s.aid
JOIN demo_fname f ON f.idx = s.fi
JOIN demo_lname l ON l.idx = s.li
JOIN demo_profile pr ON pr.pid = s.pid"""


def phones_sql() -> str:
    return """
INSERT INTO contacts_contactphone (contact_id, number, label, is_primary)
SELECT s.id, ph.number, 'Ligne directe', TRUE
FROM demo_stage s JOIN demo_profile pr ON pr.pid = s.pid JOIN demo_phone ph ON ph.idx = s.ph1
WHERE pr.n_phones >= 1
UNION ALL
SELECT s.id, ph.number, 'Standard', FALSE
FROM demo_stage s JOIN demo_profile pr ON pr.pid = s.pid JOIN demo_phone ph ON ph.idx = s.ph2
WHERE pr.n_phones >= 2"""


def beats_sql() -> str:
    return """
INSERT INTO contacts_contactbeat (contact_id, beat_id)
SELECT s.id, cb.beat_id FROM demo_stage s JOIN demo_combo_beat cb ON cb.cid = s.cid"""


def relationships_sql() -> str:
    return """
INSERT INTO contacts_relationship (contact_id, user_id, strength, notes, updated_at)
SELECT s.id, r.user_id, r.strength, r.notes, t.updated
FROM demo_stage s JOIN demo_profile_rel r ON r.pid = s.pid JOIN demo_ts t ON t.idx = s.ti"""
