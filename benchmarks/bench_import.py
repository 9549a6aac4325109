"""`relance import-contacts` of a 100,000-row CSV, on SQLite and PostgreSQL.

    python -m benchmarks import                    # both engines, 100,000 rows
    python -m benchmarks.bench_import --rows 20000 --engines sqlite

Target (issue 2): at least 20,000 rows/s including validation and duplicate
detection. The file is synthetic and deterministic: French headers, ~3,000
outlets (dailies, weeklies, radio, TV, web…), an e-mail for every row, a
phone for most (landline, mobile or both), one to three beats. Each run
imports into a fresh database (a new RELANCE_DATA_DIR, or a PostgreSQL
database dropped and created again, after `migrate`), timing the command as
a user would: process start to exit. A second run times `--dry-run` (the
whole check, nothing written) on the database just filled, where every row
is then a duplicate.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELANCE = str(ROOT / ".venv" / "bin" / "relance")
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_DATABASE = "relance_bench_import"
TARGET = 20_000

FIRST = [
    "Claire",
    "Julien",
    "Sophie",
    "Nicolas",
    "Camille",
    "Thomas",
    "Léa",
    "Antoine",
    "Manon",
    "Hugo",
    "Chloé",
    "Lucas",
    "Inès",
    "Mathieu",
    "Sarah",
    "Étienne",
    "Émilie",
    "Olivier",
    "Juliette",
    "Maxime",
    "Anaïs",
    "Pierre",
    "Élodie",
    "Benoît",
    "Aurélie",
    "Guillaume",
    "Mélanie",
    "François",
    "Hélène",
    "Rémi",
    "Noémie",
    "Jérôme",
    "Océane",
    "Cédric",
    "Laure",
    "Yannick",
    "Gaëlle",
    "Marc-André",
    "Jean-Philippe",
    "Marie-Ève",
    "Geneviève",
    "Sébastien",
    "Isabelle",
    "Frédéric",
    "Valérie",
    "Alexis",
    "Mireille",
    "Loïc",
    "Nathalie",
    "Denis",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Fournier",
    "Lapointe",
    "Leclerc",
]
BEATS = [
    "Énergie",
    "Climat",
    "Environnement",
    "Politique",
    "Économie",
    "Culture",
    "Cinéma",
    "Musique",
    "Santé",
    "Sport",
    "Tech",
    "Numérique",
    "Éducation",
    "Transports",
    "Agriculture",
    "Gastronomie",
    "Tourisme",
    "Immobilier",
    "Justice",
    "Société",
    "International",
    "Sciences",
    "Automobile",
    "Mode",
    "Littérature",
    "Théâtre",
    "Médias",
    "Emploi",
    "Finance",
    "Industrie",
    "Innovation",
    "Start-up",
    "Vin",
    "Jardinage",
    "Famille",
    "Consommation",
    "Patrimoine",
    "Urbanisme",
    "Mobilité",
    "Défense",
]
KINDS = [
    ("presse écrite", "quotidien"),
    ("presse écrite", "hebdomadaire"),
    ("presse écrite", "mensuel"),
    ("radio", "quotidien"),
    ("télévision", "quotidien"),
    ("web", "en continu"),
    ("podcast", "hebdomadaire"),
    ("blog", "irrégulier"),
]
CITIES_FR = [
    "Paris",
    "Lyon",
    "Marseille",
    "Lille",
    "Bordeaux",
    "Nantes",
    "Toulouse",
    "Rennes",
    "Strasbourg",
    "Nice",
]
CITIES_CA = ["Montréal", "Québec", "Sherbrooke", "Gatineau", "Trois-Rivières", "Saguenay"]
TITLES = ("Journaliste", "Rédactrice en chef", "Chef de rubrique", "Reporter", "Pigiste", "")
HEADERS = [
    "Nom",
    "Prénom",
    "Média",
    "Type de média",
    "Périodicité",
    "Fonction",
    "Courriel",
    "Téléphone",
    "Portable",
    "Rubriques",
    "Langue",
    "Ville",
    "Pays",
]


def _ascii(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "-")


def make_csv(path: Path, rows: int, outlets: int = 3000, seed: int = 7) -> None:
    """A media list as agencies keep them (synthetic people, example.org mail)."""
    rnd = random.Random(seed)
    media = []
    for i in range(outlets):
        quebec = rnd.random() < 0.25
        kind, period = rnd.choice(KINDS)
        city = rnd.choice(CITIES_CA if quebec else CITIES_FR)
        name = f"{rnd.choice(['Le', 'La', 'Les', 'L’'])} {rnd.choice(LAST)} {city} {i}"
        media.append((name, kind, period, city, "Canada" if quebec else "France", quebec))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(HEADERS)
        for n in range(rows):
            name, kind, period, city, country, quebec = media[rnd.randrange(outlets)]
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            email = f"{_ascii(first)}.{_ascii(last)}.{n}@redaction{n % 997}.example.org"
            if quebec:
                phone = f"(514) {rnd.randint(200, 549)}-{rnd.randint(0, 9999):04d}"
                mobile = f"438 {rnd.randint(200, 549)} {rnd.randint(0, 9999):04d}"
            else:
                phone = "0{} {:02d} {:02d} {:02d} {:02d}".format(
                    rnd.choice("12345"),
                    rnd.randint(10, 49),
                    *(rnd.randint(0, 99) for _ in range(3)),
                )
                mobile = "0{} {:02d} {:02d} {:02d} {:02d}".format(
                    *(
                        ("7", rnd.randint(50, 89))
                        if rnd.random() < 0.3
                        else ("6", rnd.randint(10, 29))
                    ),
                    *(rnd.randint(0, 99) for _ in range(3)),
                )
            roll = rnd.random()
            phone, mobile = (
                (phone, "")
                if roll < 0.45
                else ("", mobile)
                if roll < 0.75
                else (phone, mobile)
                if roll < 0.9
                else ("", "")
            )
            beats = "; ".join(rnd.sample(BEATS, rnd.randint(1, 3)))
            out.writerow(
                [
                    last,
                    first,
                    name,
                    kind,
                    period,
                    rnd.choice(TITLES),
                    email,
                    phone,
                    mobile,
                    beats,
                    "français" if rnd.random() < 0.9 else "anglais",
                    city,
                    country,
                ]
            )


def _run(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, proc


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _prepare(engine: str, workdir: Path) -> dict[str, str] | None:
    env = {**os.environ, "RELANCE_DATA_DIR": str(workdir / engine)}
    env.pop("DATABASE_URL", None)
    if engine == "postgresql":
        try:
            import psycopg

            with psycopg.connect(PG_SERVER + "postgres", autocommit=True, connect_timeout=3) as c:
                c.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                c.execute(f"CREATE DATABASE {PG_DATABASE}")
        except Exception as exc:
            print(f"  postgresql: skipped ({exc.__class__.__name__}: {exc})".splitlines()[0])
            return None
        env["DATABASE_URL"] = PG_SERVER + PG_DATABASE
    for command in (
        [RELANCE, "migrate", "-v", "0"],
        [
            RELANCE,
            "shell",
            "-c",
            "from relance.accounts.models import User; "
            "User.objects.create_user('bench', role='director')",
        ],
    ):
        _elapsed, proc = _run(command, env)
        if proc.returncode:
            print(proc.stderr[-2000:])
            raise SystemExit(f"{engine}: set-up failed")
    return env


def bench_engine(engine: str, csv_path: Path, rows: int, workdir: Path) -> dict | None:
    env = _prepare(engine, workdir)
    if env is None:
        return None
    command = [RELANCE, "import-contacts", str(csv_path), "--json", "--user", "bench"]
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_children()
    elapsed, proc = _run(command, env)
    cpu = _cpu_children() - cpu_before
    if proc.returncode:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        raise SystemExit(f"{engine}: the import failed")
    report = json.loads(proc.stdout)
    dry_elapsed, dry = _run([*command, "--dry-run"], env)
    dry_report = json.loads(dry.stdout) if dry.stdout.strip().startswith("{") else {}
    return {
        "engine": engine,
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed),
        "target_met": rows / elapsed >= TARGET,
        # CPU of the import process and its workers (the database server's
        # own work is not in it), and the machine's load: other jobs slow a
        # 2-core machine down, and these say by how much.
        "cpu_s": round(cpu, 2),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "created": report["created"],
        "duplicates": len(report["duplicates"]),
        "outlets_created": report["outlets_created"],
        "dry_run_seconds": round(dry_elapsed, 2),
        "dry_run_rows_per_s": round(rows / dry_elapsed),
        "dry_run_duplicates": len(dry_report.get("duplicates", [])),
        # Seconds per phase, from the import's own report: where the time went.
        "timings": report.get("timings", {}),
        "dry_run_timings": dry_report.get("timings", {}),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="benchmarks import", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="relance-bench-import-"))
    csv_path = workdir / "contacts.csv"
    make_csv(csv_path, args.rows)
    size = csv_path.stat().st_size / 1e6
    print(f"import-contacts: {args.rows:,} rows ({size:.1f} MB CSV), target {TARGET:,} rows/s")
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        result = bench_engine(engine, csv_path, args.rows, workdir)
        if result is None:
            continue
        results.append(result)
        verdict = "ok" if result["rows_per_s"] >= TARGET else "BELOW TARGET"
        print(
            f"  {engine:<10} {result['seconds']:6.2f} s  {result['rows_per_s']:>7,} rows/s  "
            f"({result['created']:,} created, {result['duplicates']:,} duplicates, "
            f"{result['outlets_created']:,} outlets)  {verdict}"
        )
        print(
            f"  {'':<10} dry run again: {result['dry_run_seconds']:6.2f} s  "
            f"{result['dry_run_rows_per_s']:>7,} rows/s  "
            f"({result['dry_run_duplicates']:,} duplicates found)"
        )
        phases = ", ".join(f"{k} {v:.2f}" for k, v in result["timings"].items() if v)
        print(f"  {'':<10} phases (s): {phases}")
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
        if any(r["engine"] == "postgresql" for r in results):
            try:
                import psycopg

                with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as c:
                    c.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            except Exception:
                pass
    return results


if __name__ == "__main__":
    found = main(sys.argv[1:])
    print(json.dumps(found, indent=2))
    sys.exit(0 if all(r["target_met"] for r in found) else 1)
