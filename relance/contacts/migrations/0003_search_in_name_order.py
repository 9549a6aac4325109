"""Search results in name order without sorting every match.

* SQLite: the FTS5 index becomes contentless and its rowid is the name rank
  of `relance.contacts.sortrank` (name bucket in the high bits, id in the
  low bits), so matches come out in name order and a page stops early. The
  triggers compute the rank with the `relance_sort_rank` SQL function that
  every Relance connection registers, and re-index a contact when its name
  changes as well as its document. Contentless: the index keeps no copy of
  the documents (the 'delete' command is given the old values by the
  triggers).
* PostgreSQL: the name index carries the erasure date and the search vector
  (INCLUDE), so walking contacts in name order and checking each against the
  search is an index-only scan instead of a visit to each table row. Same
  name and key columns as the index Django declared, so the model state is
  unchanged.
"""

from django.db import migrations

FTS = "contacts_contact_fts"
RANK = "relance_sort_rank({row}.last_name, {row}.first_name, {row}.id)"
INSERT = f"INSERT INTO {FTS}(rowid, search_document) VALUES ({RANK.format(row='new')}, new.search_document);"
DELETE = (
    f"INSERT INTO {FTS}({FTS}, rowid, search_document)"
    f" VALUES ('delete', {RANK.format(row='old')}, old.search_document);"
)

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS contacts_contact_fts_au",
    "DROP TRIGGER IF EXISTS contacts_contact_fts_ad",
    "DROP TRIGGER IF EXISTS contacts_contact_fts_ai",
    f"DROP TABLE IF EXISTS {FTS}",
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        search_document, content='',
        tokenize="unicode61 remove_diacritics 2", detail=column)""",
    f"INSERT INTO {FTS}(rowid, search_document)"
    f" SELECT {RANK.format(row='contacts_contact')}, search_document FROM contacts_contact",
    f"CREATE TRIGGER contacts_contact_fts_ai AFTER INSERT ON contacts_contact BEGIN {INSERT} END",
    f"CREATE TRIGGER contacts_contact_fts_ad AFTER DELETE ON contacts_contact BEGIN {DELETE} END",
    "CREATE TRIGGER contacts_contact_fts_au AFTER UPDATE OF search_document, last_name, first_name"
    f" ON contacts_contact BEGIN {DELETE} {INSERT} END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS contacts_contact_fts_au",
    "DROP TRIGGER IF EXISTS contacts_contact_fts_ad",
    "DROP TRIGGER IF EXISTS contacts_contact_fts_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]
NAME_INDEX = "contacts_co_last_na_75f66c_idx"
POSTGRES_UP = [
    f"DROP INDEX IF EXISTS {NAME_INDEX}",
    f"CREATE INDEX {NAME_INDEX} ON contacts_contact (last_name, first_name, id)"
    " INCLUDE (erased_at, search_vector)",
]
POSTGRES_DOWN = [
    f"DROP INDEX IF EXISTS {NAME_INDEX}",
    f"CREATE INDEX {NAME_INDEX} ON contacts_contact (last_name, first_name, id)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def _sqlite_down(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in SQLITE_DOWN:
        schema_editor.execute(sql)
    # Back to migration 0002's index, filled from the documents.
    previous = __import__(
        "relance.contacts.migrations.0002_fulltext", fromlist=["SQLITE_UP"]
    ).SQLITE_UP
    for sql in previous:
        schema_editor.execute(sql)
    schema_editor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def _down(apps, schema_editor):
    _sqlite_down(apps, schema_editor)
    _run({"postgresql": POSTGRES_DOWN})(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_fulltext")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}), _down)
    ]
