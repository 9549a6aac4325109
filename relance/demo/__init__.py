"""The demo agency: a believable, deterministic, entirely fictitious media base.

Not a Django app: plain modules used by `relance demo`, the tests and the
benchmarks.

* `vocabulary` — the static material (beats, places, outlet name patterns,
  show schedules, job titles), all invented;
* `pools` — name, phone, profile and timestamp pools drawn once from a seed;
* `catalog` — outlets and their shows (France and Quebec);
* `spec` — the small tables the contact generator joins (who works where);
* `sqlgen` — the set-based contact generator, in SQL both engines run;
* `bulk` — loading on SQLite and PostgreSQL (indexes, full-text, sequences);
* `builder` — `build_demo()`: the agency, team, clients, lists, and the rest.
"""

from __future__ import annotations

DEMO_AGENCY_NAME = "Agence Relance Démo"
DEMO_SOURCE = "Démo"
DEMO_PASSWORD = "relance-demo"
