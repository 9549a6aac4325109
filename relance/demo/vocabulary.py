"""Static material for the demo: beats, places, outlet names, shows, job titles.

Every outlet, show and brand name here is invented (patterns combined with
real place names); people's names come from Faker, e-mail domains use the
reserved `.example` top-level domain and phone numbers the ranges reserved
for fiction, so the demo never points at a real person.
"""

from __future__ import annotations

from datetime import time
from typing import NamedTuple

BEATS: tuple[str, ...] = (
    "Énergie",
    "Écologie",
    "Environnement",
    "Climat",
    "Économie",
    "Entreprises",
    "Finances",
    "Emploi",
    "Politique",
    "International",
    "Justice",
    "Société",
    "Éducation",
    "Santé",
    "Sciences",
    "Tech",
    "Numérique",
    "Médias",
    "Culture",
    "Musique",
    "Cinéma",
    "Littérature",
    "Patrimoine",
    "Gastronomie",
    "Vin",
    "Tourisme",
    "Mode",
    "Sport",
    "Transport",
    "Automobile",
    "Immobilier",
    "Agriculture",
    "Consommation",
    "Famille",
)

# Editorial profiles: the beats an outlet of that kind covers, most central first.
ARCHETYPES: dict[str, tuple[str, ...]] = {
    "generaliste": (
        "Politique",
        "Économie",
        "Société",
        "International",
        "Culture",
        "Sport",
        "Santé",
        "Justice",
        "Éducation",
    ),
    "regional": (
        "Société",
        "Politique",
        "Économie",
        "Culture",
        "Sport",
        "Agriculture",
        "Transport",
        "Immobilier",
        "Tourisme",
        "Gastronomie",
    ),
    "local": ("Société", "Culture", "Sport", "Économie", "Agriculture", "Éducation", "Tourisme"),
    "economie": ("Économie", "Entreprises", "Finances", "Emploi", "Énergie", "Immobilier", "Tech"),
    "energie": ("Énergie", "Climat", "Environnement", "Écologie", "Sciences", "Transport"),
    "ecologie": ("Écologie", "Environnement", "Climat", "Agriculture", "Énergie", "Consommation"),
    "sciences": ("Sciences", "Santé", "Environnement", "Tech", "Climat"),
    "tech": ("Tech", "Numérique", "Médias", "Entreprises", "Sciences"),
    "culture": ("Culture", "Musique", "Cinéma", "Littérature", "Patrimoine", "Médias"),
    "gastronomie": ("Gastronomie", "Vin", "Tourisme", "Agriculture", "Consommation"),
    "mode": ("Mode", "Consommation", "Culture", "Société"),
    "sante": ("Santé", "Sciences", "Famille", "Société", "Consommation"),
    "sport": ("Sport", "Santé", "Société"),
    "auto": ("Automobile", "Transport", "Énergie", "Tech"),
    "immobilier": ("Immobilier", "Économie", "Finances", "Environnement"),
    "agriculture": ("Agriculture", "Environnement", "Économie", "Gastronomie", "Climat"),
    "tourisme": ("Tourisme", "Gastronomie", "Patrimoine", "Culture", "Transport"),
    "famille": ("Famille", "Éducation", "Santé", "Consommation", "Société"),
    "politique": ("Politique", "International", "Justice", "Économie", "Société"),
    "lifestyle": ("Mode", "Gastronomie", "Tourisme", "Santé", "Famille", "Consommation", "Sport"),
}


class Place(NamedTuple):
    city: str
    region: str  # French region, or Canadian province code
    country: str
    timezone: str
    size: int  # 3 metropolis, 2 city, 1 town
    phone_zone: str  # key of pools.PHONE_ZONES


def _fr(region: str, zone: str, *cities: tuple[str, int]) -> list[Place]:
    return [Place(c, region, "FR", "Europe/Paris", s, zone) for c, s in cities]


def _ca(province: str, tz: str, *cities: tuple[str, int, str]) -> list[Place]:
    return [Place(c, province, "CA", tz, s, zone) for c, s, zone in cities]


PLACES: tuple[Place, ...] = tuple(
    _fr(
        "Île-de-France",
        "fr1",
        ("Paris", 3),
        ("Versailles", 1),
        ("Saint-Denis", 1),
        ("Créteil", 1),
        ("Boulogne-Billancourt", 1),
        ("Nanterre", 1),
        ("Montreuil", 1),
    )
    + _fr(
        "Auvergne-Rhône-Alpes",
        "fr4",
        ("Lyon", 3),
        ("Grenoble", 2),
        ("Saint-Étienne", 2),
        ("Clermont-Ferrand", 2),
        ("Annecy", 1),
        ("Chambéry", 1),
        ("Valence", 1),
        ("Roanne", 1),
        ("Aurillac", 1),
    )
    + _fr(
        "Provence-Alpes-Côte d'Azur",
        "fr4",
        ("Marseille", 3),
        ("Nice", 2),
        ("Toulon", 2),
        ("Aix-en-Provence", 2),
        ("Avignon", 1),
        ("Gap", 1),
        ("Cannes", 1),
        ("Arles", 1),
    )
    + _fr(
        "Occitanie",
        "fr5",
        ("Toulouse", 3),
        ("Montpellier", 2),
        ("Nîmes", 2),
        ("Perpignan", 1),
        ("Béziers", 1),
        ("Albi", 1),
        ("Tarbes", 1),
        ("Rodez", 1),
        ("Carcassonne", 1),
    )
    + _fr(
        "Nouvelle-Aquitaine",
        "fr5",
        ("Bordeaux", 3),
        ("Limoges", 2),
        ("Poitiers", 1),
        ("La Rochelle", 1),
        ("Pau", 1),
        ("Bayonne", 1),
        ("Angoulême", 1),
        ("Périgueux", 1),
        ("Niort", 1),
    )
    + _fr(
        "Hauts-de-France",
        "fr3",
        ("Lille", 3),
        ("Amiens", 2),
        ("Roubaix", 1),
        ("Dunkerque", 1),
        ("Calais", 1),
        ("Arras", 1),
        ("Beauvais", 1),
        ("Valenciennes", 1),
    )
    + _fr(
        "Grand Est",
        "fr3",
        ("Strasbourg", 3),
        ("Metz", 2),
        ("Nancy", 2),
        ("Reims", 2),
        ("Mulhouse", 1),
        ("Colmar", 1),
        ("Troyes", 1),
        ("Épinal", 1),
    )
    + _fr(
        "Bretagne",
        "fr2",
        ("Rennes", 2),
        ("Brest", 2),
        ("Quimper", 1),
        ("Lorient", 1),
        ("Vannes", 1),
        ("Saint-Brieuc", 1),
        ("Saint-Malo", 1),
    )
    + _fr(
        "Pays de la Loire",
        "fr2",
        ("Nantes", 3),
        ("Angers", 2),
        ("Le Mans", 2),
        ("Saint-Nazaire", 1),
        ("La Roche-sur-Yon", 1),
        ("Laval", 1),
    )
    + _fr(
        "Normandie",
        "fr2",
        ("Rouen", 2),
        ("Caen", 2),
        ("Le Havre", 2),
        ("Cherbourg", 1),
        ("Évreux", 1),
        ("Alençon", 1),
    )
    + _fr(
        "Bourgogne-Franche-Comté",
        "fr3",
        ("Dijon", 2),
        ("Besançon", 2),
        ("Belfort", 1),
        ("Auxerre", 1),
        ("Mâcon", 1),
    )
    + _fr(
        "Centre-Val de Loire",
        "fr2",
        ("Tours", 2),
        ("Orléans", 2),
        ("Bourges", 1),
        ("Blois", 1),
        ("Chartres", 1),
    )
    + _fr("Corse", "fr4", ("Ajaccio", 1), ("Bastia", 1))
    + _ca(
        "QC",
        "America/Montreal",
        ("Montréal", 3, "qc514"),
        ("Québec", 3, "qc418"),
        ("Gatineau", 2, "qc819"),
        ("Sherbrooke", 2, "qc819"),
        ("Trois-Rivières", 2, "qc819"),
        ("Saguenay", 2, "qc418"),
        ("Laval", 2, "qc450"),
        ("Lévis", 1, "qc418"),
        ("Longueuil", 1, "qc450"),
        ("Rimouski", 1, "qc418"),
        ("Rouyn-Noranda", 1, "qc819"),
        ("Drummondville", 1, "qc819"),
        ("Granby", 1, "qc450"),
        ("Saint-Jérôme", 1, "qc450"),
        ("Victoriaville", 1, "qc819"),
        ("Sept-Îles", 1, "qc418"),
        ("Joliette", 1, "qc450"),
        ("Shawinigan", 1, "qc819"),
        ("Saint-Hyacinthe", 1, "qc450"),
        ("Alma", 1, "qc418"),
        ("Val-d'Or", 1, "qc819"),
        ("Matane", 1, "qc418"),
        ("Gaspé", 1, "qc418"),
    )
    + _ca(
        "ON",
        "America/Toronto",
        ("Ottawa", 2, "on613"),
        ("Toronto", 2, "on416"),
        ("Sudbury", 1, "on705"),
    )
)
# Laval exists in both countries; outlets name their city, so keep them apart.
PLACE_BY_CITY: dict[tuple[str, str], Place] = {(p.country, p.city): p for p in PLACES}
FR_PLACES = tuple(p for p in PLACES if p.country == "FR")
QC_PLACES = tuple(p for p in PLACES if p.region == "QC")
ON_PLACES = tuple(p for p in PLACES if p.region == "ON")

# Sub-areas used to tell local editions apart once the plain names run out.
SECTORS: tuple[str, ...] = (
    "Nord",
    "Sud",
    "Est",
    "Ouest",
    "Centre",
    "Rive droite",
    "Rive gauche",
    "Vallée",
    "Plateau",
    "Littoral",
    "Campagne",
    "Agglomération",
    "Haute-Ville",
    "Basse-Ville",
    "Faubourgs",
    "Couronne",
)

# --- Base outlets (national and regional references) ------------------------
# (name, kind, periodicity, archetype, city, tier, language)
NATIONAL_FR: tuple[tuple[str, str, str, str, str, int, str], ...] = (
    ("L'Horizon", "print", "daily", "generaliste", "Paris", 1, "fr"),
    ("La Tribune du Matin", "print", "daily", "generaliste", "Paris", 1, "fr"),
    ("Le Soir de France", "print", "daily", "generaliste", "Paris", 1, "fr"),
    ("L'Éclaireur national", "print", "daily", "politique", "Paris", 1, "fr"),
    ("Le Fil Éco", "print", "daily", "economie", "Paris", 1, "fr"),
    ("Sport Quotidien", "print", "daily", "sport", "Paris", 1, "fr"),
    ("Le Décryptage", "print", "weekly", "politique", "Paris", 1, "fr"),
    ("L'Hebdo Éco", "print", "weekly", "economie", "Paris", 1, "fr"),
    ("Planète Hebdo", "print", "weekly", "ecologie", "Paris", 1, "fr"),
    ("Le Magazine du Dimanche", "print", "weekly", "generaliste", "Paris", 1, "fr"),
    ("Le Temps Libre", "print", "weekly", "culture", "Paris", 2, "fr"),
    ("Terre & Énergies", "print", "monthly", "energie", "Paris", 2, "fr"),
    ("Planète Durable", "print", "monthly", "ecologie", "Paris", 2, "fr"),
    ("Sciences en Poche", "print", "monthly", "sciences", "Paris", 2, "fr"),
    ("Écrans & Réseaux", "print", "monthly", "tech", "Paris", 2, "fr"),
    ("Le Mensuel des Arts", "print", "monthly", "culture", "Paris", 2, "fr"),
    ("Tables & Terroirs", "print", "monthly", "gastronomie", "Lyon", 2, "fr"),
    ("Élégance Mensuel", "print", "monthly", "mode", "Paris", 2, "fr"),
    ("Corps & Santé Mensuel", "print", "monthly", "sante", "Paris", 2, "fr"),
    ("Route & Moteurs", "print", "monthly", "auto", "Paris", 2, "fr"),
    ("Pierre & Habitat", "print", "monthly", "immobilier", "Paris", 2, "fr"),
    ("Campagnes Vivantes", "print", "monthly", "agriculture", "Rennes", 2, "fr"),
    ("Évasion Voyages", "print", "monthly", "tourisme", "Paris", 2, "fr"),
    ("Parents d'Aujourd'hui", "print", "monthly", "famille", "Paris", 2, "fr"),
    ("Le Mensuel de l'Économie", "print", "monthly", "economie", "Paris", 2, "fr"),
    ("Décideurs Régions", "print", "bimonthly", "economie", "Lyon", 2, "fr"),
    ("Vignes & Chais", "print", "bimonthly", "gastronomie", "Bordeaux", 2, "fr"),
    ("Revue Climat & Territoires", "print", "quarterly", "energie", "Paris", 2, "fr"),
    ("Cahiers du Patrimoine", "print", "quarterly", "culture", "Paris", 3, "fr"),
    ("Télé Hexagone", "tv", "daily", "generaliste", "Paris", 1, "fr"),
    ("Canal Horizon", "tv", "daily", "generaliste", "Paris", 1, "fr"),
    ("Info 24 France", "tv", "continuous", "politique", "Paris", 1, "fr"),
    ("Culture Plus TV", "tv", "daily", "culture", "Paris", 2, "fr"),
    ("Radio Hexagone", "radio", "daily", "generaliste", "Paris", 1, "fr"),
    ("Ondes Info", "radio", "continuous", "politique", "Paris", 1, "fr"),
    ("Antenne Culture", "radio", "daily", "culture", "Paris", 1, "fr"),
    ("Radio Sport Direct", "radio", "daily", "sport", "Paris", 2, "fr"),
    ("Hexagone FM", "radio", "daily", "generaliste", "Paris", 1, "fr"),
    ("Vert Demain", "web", "continuous", "ecologie", "Paris", 1, "fr"),
    ("Tech Matin", "web", "continuous", "tech", "Paris", 1, "fr"),
    ("Actu Éco Express", "web", "continuous", "economie", "Paris", 1, "fr"),
    ("Le Fil Culture", "web", "continuous", "culture", "Paris", 2, "fr"),
    ("Les Nouvelles du Climat", "web", "continuous", "energie", "Paris", 2, "fr"),
    ("Goûts du Jour", "web", "continuous", "gastronomie", "Lyon", 2, "fr"),
    ("Mode Express", "web", "continuous", "mode", "Paris", 2, "fr"),
    ("Le Vestiaire", "web", "continuous", "sport", "Paris", 2, "fr"),
    ("Dossiers Santé", "web", "continuous", "sante", "Paris", 2, "fr"),
    ("Transitions", "podcast", "weekly", "energie", "Paris", 2, "fr"),
    ("Sous la Loupe", "podcast", "weekly", "sciences", "Paris", 2, "fr"),
    ("À Table !", "podcast", "weekly", "gastronomie", "Lyon", 3, "fr"),
    ("Zoom Éco", "podcast", "weekly", "economie", "Paris", 2, "fr"),
    ("Clap de Fin", "podcast", "weekly", "culture", "Paris", 3, "fr"),
    ("Micro Politique", "podcast", "weekly", "politique", "Paris", 2, "fr"),
    ("Débrief Tech", "podcast", "weekly", "tech", "Paris", 3, "fr"),
    ("Racines & Climat", "podcast", "biweekly", "ecologie", "Nantes", 3, "fr"),
    ("Agence Hexagone Presse", "wire", "continuous", "generaliste", "Paris", 1, "fr"),
)
NATIONAL_CA: tuple[tuple[str, str, str, str, str, int, str], ...] = (
    ("Le Fleuve", "print", "daily", "generaliste", "Montréal", 1, "fr"),
    ("L'Écho de la Capitale", "print", "daily", "regional", "Québec", 1, "fr"),
    ("La Voix du Saguenay", "print", "daily", "regional", "Saguenay", 2, "fr"),
    ("La Sentinelle de l'Estrie", "print", "daily", "regional", "Sherbrooke", 2, "fr"),
    ("Le Phare de la Mauricie", "print", "daily", "regional", "Trois-Rivières", 2, "fr"),
    ("L'Outaouais Matin", "print", "daily", "regional", "Gatineau", 2, "fr"),
    ("The St. Lawrence Ledger", "print", "daily", "generaliste", "Montréal", 1, "en"),
    ("L'Actualité d'Affaires", "print", "weekly", "economie", "Montréal", 1, "fr"),
    ("Boréal Nature", "print", "monthly", "ecologie", "Québec", 2, "fr"),
    ("Énergie Nord", "print", "monthly", "energie", "Montréal", 2, "fr"),
    ("Cuisine d'ici", "print", "monthly", "gastronomie", "Montréal", 2, "fr"),
    ("Pixels & Puces", "print", "monthly", "tech", "Montréal", 2, "fr"),
    ("Culture Nord", "print", "monthly", "culture", "Montréal", 2, "fr"),
    ("Maisons d'ici", "print", "monthly", "immobilier", "Laval", 2, "fr"),
    ("Grand Air Québec", "print", "monthly", "tourisme", "Québec", 2, "fr"),
    ("Famille d'ici", "print", "monthly", "famille", "Montréal", 2, "fr"),
    ("Terres du Québec", "print", "bimonthly", "agriculture", "Saint-Hyacinthe", 2, "fr"),
    ("Télé-Fleuve", "tv", "daily", "generaliste", "Montréal", 1, "fr"),
    ("Info Québec 24", "tv", "continuous", "politique", "Montréal", 1, "fr"),
    ("Canal Nordique", "tv", "daily", "regional", "Québec", 2, "fr"),
    ("Savoir Plus Télé", "tv", "daily", "culture", "Montréal", 2, "fr"),
    ("Radio Boréale", "radio", "daily", "generaliste", "Montréal", 1, "fr"),
    ("Ondes Saint-Laurent", "radio", "daily", "regional", "Québec", 2, "fr"),
    ("Info Radio Montréal", "radio", "continuous", "politique", "Montréal", 1, "fr"),
    ("Radio Capitale Nationale", "radio", "daily", "regional", "Québec", 2, "fr"),
    ("Ondes de l'Estrie", "radio", "daily", "local", "Sherbrooke", 3, "fr"),
    ("Metro Talk Montreal", "radio", "daily", "generaliste", "Montréal", 2, "en"),
    ("MTL Urbain", "web", "continuous", "regional", "Montréal", 2, "fr"),
    ("Québec Numérique", "web", "continuous", "tech", "Québec", 2, "fr"),
    ("La Tablée Québec", "web", "continuous", "gastronomie", "Montréal", 2, "fr"),
    ("Vert Québec", "web", "continuous", "ecologie", "Montréal", 2, "fr"),
    ("Affaires Nord", "web", "continuous", "economie", "Montréal", 2, "fr"),
    ("Scène Montréal", "web", "continuous", "culture", "Montréal", 2, "fr"),
    ("Au Coin du Feu", "podcast", "weekly", "culture", "Québec", 3, "fr"),
    ("Le Grand Dossier", "podcast", "weekly", "politique", "Montréal", 2, "fr"),
    ("Saveurs du Nord", "podcast", "biweekly", "gastronomie", "Montréal", 3, "fr"),
    ("Balado Climat", "podcast", "weekly", "energie", "Montréal", 3, "fr"),
    ("Fil Québec Presse", "wire", "continuous", "generaliste", "Montréal", 1, "fr"),
    ("L'Écho d'Ottawa", "print", "weekly", "regional", "Ottawa", 2, "fr"),
    ("Toronto Franco Hebdo", "print", "weekly", "local", "Toronto", 3, "fr"),
    ("Radio Franco-Ontario", "radio", "daily", "regional", "Ottawa", 2, "fr"),
)

# --- Name patterns for regional and local outlets ---------------------------
# {c} is the city. Each pattern: (kind, periodicity, archetype, tier, pattern).
REGIONAL_DAILY_PATTERNS = (
    "Le Courrier de {c}",
    "La Voix de {c}",
    "L'Écho de {c}",
    "Le Journal de {c}",
    "La Vigie de {c}",
    "Le Veilleur de {c}",
    "L'Éveil de {c}",
    "Le Quotidien de {c}",
)
LOCAL_PATTERNS: dict[str, tuple[str, ...]] = {
    "weekly": (
        "L'Hebdo de {c}",
        "Le Petit Journal de {c}",
        "La Gazette de {c}",
        "Le Réveil de {c}",
        "Le Reflet de {c}",
        "La Semaine de {c}",
        "Le Messager de {c}",
        "Les Nouvelles de {c}",
        "L'Informateur de {c}",
    ),
    "monthly": (
        "{c} Magazine",
        "Le Mensuel de {c}",
        "Vivre à {c}",
        "{c} Mag Éco",
        "{c} Culture Mag",
    ),
    "daily": REGIONAL_DAILY_PATTERNS,
    "tv": ("Télé {c}", "{c} TV", "Canal {c}", "TV Pays de {c}"),
    "radio": (
        "Radio {c}",
        "{c} FM",
        "Ondes de {c}",
        "Fréquence {c}",
        "Radio Cœur de {c}",
        "Radio Pays de {c}",
    ),
    "web": (
        "{c} Actu",
        "Info {c}",
        "{c} Direct",
        "Le Mag de {c}",
        "{c} Infos Locales",
        "{c} en Ligne",
    ),
    "podcast": (
        "Les Voix de {c}",
        "{c} en Podcast",
        "Micro Ouvert {c}",
        "Ça se passe à {c}",
        "Les Rencontres de {c}",
    ),
    "blog": (
        "Carnets gourmands de {c}",
        "Balades à {c}",
        "Le Potager de {c}",
        "Vélo & Ville {c}",
        "Papilles de {c}",
        "Zéro Déchet {c}",
        "Petits Budgets {c}",
        "Escapades autour de {c}",
        "Parents à {c}",
        "Courir à {c}",
        "Vieilles Pierres de {c}",
        "Jardins de {c}",
        "Seconde Main {c}",
        "Bien-Être à {c}",
        "Ciné-Club {c}",
        "Bouquins de {c}",
    ),
}
ENGLISH_PATTERNS: dict[str, tuple[str, ...]] = {
    "weekly": ("{c} Weekly", "The {c} Courier", "{c} Chronicle"),
    "web": ("{c} Today", "{c} Now"),
    "radio": ("{c} Talk Radio", "Radio {c} One"),
    "blog": ("Eating in {c}", "{c} on Foot"),
}
# Which archetype local outlets of each kind mostly follow.
BLOG_ARCHETYPES: dict[str, str] = {
    "Carnets": "gastronomie",
    "Balades": "tourisme",
    "Potager": "ecologie",
    "Vélo": "ecologie",
    "Papilles": "gastronomie",
    "Zéro": "ecologie",
    "Petits": "famille",
    "Escapades": "tourisme",
    "Parents": "famille",
    "Courir": "sport",
    "Vieilles": "culture",
    "Jardins": "ecologie",
    "Seconde": "mode",
    "Bien-Être": "sante",
    "Ciné-Club": "culture",
    "Bouquins": "culture",
    "Eating": "gastronomie",
}

# (label, feminine): the scope adjective agrees ("chaîne … régionale").
KIND_LABELS: dict[tuple[str, str], tuple[str, bool]] = {
    ("print", "daily"): ("Quotidien", False),
    ("print", "weekly"): ("Hebdomadaire", False),
    ("print", "biweekly"): ("Bimensuel", False),
    ("print", "monthly"): ("Mensuel", False),
    ("print", "bimonthly"): ("Bimestriel", False),
    ("print", "quarterly"): ("Trimestriel", False),
    ("tv", "daily"): ("Chaîne de télévision", True),
    ("tv", "continuous"): ("Chaîne d'information en continu", True),
    ("radio", "daily"): ("Station de radio", True),
    ("radio", "continuous"): ("Radio d'information en continu", True),
    ("web", "continuous"): ("Média en ligne", False),
    ("podcast", "weekly"): ("Podcast hebdomadaire", False),
    ("podcast", "biweekly"): ("Podcast bimensuel", False),
    ("blog", "irregular"): ("Blog", False),
    ("wire", "continuous"): ("Agence de presse", True),
}


# --- Shows (TV and radio programmes, podcast series) ------------------------
class ShowTemplate(NamedTuple):
    name: str
    air_days: tuple[int, ...]
    start: time | None
    end: time | None
    notes: str
    description: str


def _s(name: str, days: str, start: str, end: str, notes: str, desc: str) -> ShowTemplate:
    d = tuple(range(5)) if days == "semaine" else tuple(int(x) for x in days.split(","))
    return ShowTemplate(name, d, time.fromisoformat(start), time.fromisoformat(end), notes, desc)


WEEK = "semaine"
TV_SHOWS_FR = (
    _s("La Matinale", WEEK, "06:30", "09:00", "En direct", "Actualité, invités et chroniques."),
    _s("Le Journal de 13 heures", "0,1,2,3,4,5", "13:00", "13:40", "En direct", "Journal."),
    _s("Le Journal du soir", "0,1,2,3,4,5,6", "20:00", "20:45", "En direct", "Journal."),
    _s("L'Éco du soir", WEEK, "19:00", "19:30", "En direct", "Économie et entreprises."),
    _s("Le Grand Débat", "3", "21:00", "22:30", "En direct", "Débat politique."),
    _s("Terre d'Avenir", "5", "12:00", "12:30", "Enregistré le mercredi", "Écologie, climat."),
    _s("Côté Santé", WEEK, "14:00", "15:00", "En direct", "Santé et médecine."),
    _s("Dimanche Politique", "6", "11:30", "12:30", "En direct", "Entretien politique."),
    _s("Les Cuisines de France", "5", "11:00", "11:30", "Enregistré", "Gastronomie, terroirs."),
    _s("Scènes et Écrans", "4", "22:30", "23:30", "Enregistré le mardi", "Culture, cinéma."),
)
RADIO_SHOWS_FR = (
    _s("La Matinale", WEEK, "06:00", "09:00", "En direct", "Journaux, invités, chroniques."),
    _s("Le Grand Entretien", WEEK, "08:20", "08:45", "En direct", "L'invité du matin."),
    _s("Le Journal de midi", WEEK, "12:00", "12:30", "En direct", "Journal."),
    _s("L'Invité de 18 heures", WEEK, "18:00", "18:30", "En direct", "Entretien."),
    _s("Le Magazine Vert", "5", "10:00", "11:00", "Enregistré le jeudi", "Environnement."),
    _s("Le Club des Sports", "6", "18:00", "20:00", "En direct", "Sport."),
    _s("Les Carnets de Culture", WEEK, "21:00", "22:00", "En direct", "Culture."),
    _s("Le Marché du Samedi", "5", "09:00", "10:00", "En direct", "Gastronomie, producteurs."),
    _s("Éco Matin", WEEK, "07:50", "08:00", "En direct", "Chronique économique."),
)
TV_SHOWS_QC = (
    _s("Bon Matin", WEEK, "06:00", "09:00", "En direct", "Actualité, météo, circulation."),
    _s("Midi Actualités", WEEK, "12:00", "12:30", "En direct", "Bulletin de nouvelles."),
    _s("Le Journal du soir", "0,1,2,3,4,5,6", "18:00", "18:30", "En direct", "Nouvelles."),
    _s("Les Affaires d'ici", "2", "19:30", "20:00", "Enregistré le lundi", "Économie."),
    _s("À la Soupe !", "5", "11:00", "11:30", "Enregistré", "Cuisine et produits d'ici."),
    _s("Enquête Nord", "3", "21:00", "22:00", "Enregistré", "Reportages d'enquête."),
)
RADIO_SHOWS_QC = (
    _s("Le Réveil", WEEK, "05:30", "09:00", "En direct", "Nouvelles, entrevues, chroniques."),
    _s("Midi Info", WEEK, "12:00", "13:00", "En direct", "Actualité du midi."),
    _s("Le Retour", WEEK, "15:30", "18:00", "En direct", "Émission de fin de journée."),
    _s("La Tribune des Sports", "6", "10:00", "12:00", "En direct", "Sport."),
    _s("Culture Club", "5", "13:00", "15:00", "En direct", "Arts et spectacles."),
    _s("Vert Demain Matin", "6", "08:00", "09:00", "Enregistré", "Environnement."),
)
SHOWS_EN = (
    _s("City Morning", WEEK, "06:00", "09:00", "Live", "News, guests, traffic."),
    _s("The Noon Report", WEEK, "12:00", "12:30", "Live", "News."),
    _s("The Evening Wrap", WEEK, "17:00", "18:00", "Live", "News and interviews."),
    _s("Weekend Kitchen", "5", "10:00", "11:00", "Recorded", "Food and local producers."),
)
PODCAST_SERIES = (
    ("L'Entretien", "Un invité, quarante minutes.", "Nouvel épisode le mardi"),
    ("Le Décryptage", "Un sujet expliqué en vingt minutes.", "Nouvel épisode le jeudi"),
    ("Hors-série", "Reportages au long cours.", "Épisodes irréguliers"),
    ("Les Coulisses", "Les coulisses d'un métier.", "Nouvel épisode le lundi"),
)


# --- Staff: titles by role, (masculine, feminine) ------------------------------
class Title(NamedTuple):
    role: str
    masculine: str
    feminine: str


def _t(role: str, m: str, f: str | None = None) -> Title:
    return Title(role, m, f or m)


T_EDITOR_IN_CHIEF = _t("editor", "Rédacteur en chef", "Rédactrice en chef")
T_DEPUTY = _t("editor", "Rédacteur en chef adjoint", "Rédactrice en chef adjointe")
T_SECTION = _t("editor", "Chef de rubrique", "Cheffe de rubrique")
T_SUBEDITOR = _t("editor", "Secrétaire de rédaction")
T_EDITION = _t("assignment_editor", "Chef d'édition", "Cheffe d'édition")
T_DESK = _t("assignment_editor", "Chef du desk", "Cheffe du desk")
T_PLANNING = _t("assignment_editor", "Responsable du planning")
T_ASSIGN_QC = _t("assignment_editor", "Affectateur", "Affectatrice")
T_JOURNALIST = _t("journalist", "Journaliste")
T_REPORTER = _t("journalist", "Reporter", "Reporteure")
T_COLUMNIST = _t("journalist", "Chroniqueur", "Chroniqueuse")
T_HOST = _t("host", "Présentateur", "Présentatrice")
T_HOST_RADIO = _t("host", "Animateur", "Animatrice")
T_PRODUCER = _t("producer", "Producteur", "Productrice")
T_PRODUCER_QC = _t("producer", "Réalisateur", "Réalisatrice")
T_PROGRAMMER = _t("researcher", "Programmateur", "Programmatrice")
T_RESEARCHER_QC = _t("researcher", "Recherchiste")
T_BLOG_OWNER = _t("blogger", "Auteur du blog", "Autrice du blog")
T_BLOG_GUEST = _t("blogger", "Contributeur", "Contributrice")
T_INFLUENCER = _t("influencer", "Créateur de contenu", "Créatrice de contenu")
EN_TITLES: dict[Title, Title] = {
    T_EDITOR_IN_CHIEF: _t("editor", "Editor-in-chief"),
    T_DEPUTY: _t("editor", "Deputy editor"),
    T_SECTION: _t("editor", "Section editor"),
    T_SUBEDITOR: _t("editor", "Copy editor"),
    T_EDITION: _t("assignment_editor", "News editor"),
    T_DESK: _t("assignment_editor", "Desk editor"),
    T_PLANNING: _t("assignment_editor", "Planning editor"),
    T_ASSIGN_QC: _t("assignment_editor", "Assignment editor"),
    T_JOURNALIST: _t("journalist", "Reporter"),
    T_REPORTER: _t("journalist", "Reporter"),
    T_COLUMNIST: _t("journalist", "Columnist"),
    T_HOST: _t("host", "Anchor"),
    T_HOST_RADIO: _t("host", "Host"),
    T_PRODUCER: _t("producer", "Producer"),
    T_PRODUCER_QC: _t("producer", "Producer"),
    T_PROGRAMMER: _t("researcher", "Booker"),
    T_RESEARCHER_QC: _t("researcher", "Researcher"),
    T_BLOG_OWNER: _t("blogger", "Blogger"),
    T_BLOG_GUEST: _t("blogger", "Contributor"),
    T_INFLUENCER: _t("influencer", "Content creator"),
}

# --- Contact details ---------------------------------------------------------
BEST_HOURS = (
    "09:30-11:30",
    "10:00-12:00",
    "09:00-10:00,14:00-15:30",
    "14:00-16:00",
    "11:00-12:00",
    "15:00-17:00",
)
CONTACT_NOTES = (
    "Préfère recevoir les communiqués en PDF, sans pièce jointe lourde.",
    "Ne pas appeler le jour du bouclage.",
    "Pigiste, écrit aussi pour la presse spécialisée.",
    "Très réactif par courriel, rappelle rarement.",
    "Aime les visuels prêts à publier et les chiffres régionaux.",
    "Demande toujours un contact client disponible pour une interview.",
    "Suit de près la transition énergétique et les projets éoliens.",
    "Couvre surtout les circuits courts et les producteurs locaux.",
    "Préfère un message court avant tout appel.",
    "En congé parental une partie de l'année : vérifier avant d'appeler.",
    "Intéressé par les études et les données inédites.",
    "A couvert l'inauguration du parc solaire en 2024.",
    "Invite souvent des experts en direct : proposer un porte-parole.",
    "Travaille sur des formats longs, délais de plusieurs semaines.",
)
RELATIONSHIP_NOTES = (
    "Déjeuner ensemble au printemps dernier.",
    "Ancienne collègue de rédaction.",
    "Connaît bien le dossier Héliande.",
    "Contact régulier depuis plusieurs années.",
    "Rencontré lors d'un voyage de presse.",
    "A apprécié l'exclusivité de l'an dernier.",
)

# --- The agency --------------------------------------------------------------
# (username, first name, last name, role, daily call capacity, time zone)
TEAM: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("directrice", "Hélène", "Garnier", "director", 15, "Europe/Paris"),
    ("marc", "Marc", "Lefebvre", "manager", 25, "Europe/Paris"),
    ("sophie", "Sophie", "Gagnon", "manager", 25, "America/Montreal"),
    ("julie", "Julie", "Moreau", "press_officer", 40, "Europe/Paris"),
    ("thomas", "Thomas", "Roux", "press_officer", 40, "Europe/Paris"),
    ("amina", "Amina", "Benali", "press_officer", 35, "America/Montreal"),
    ("lucas", "Lucas", "Perrin", "intern", 12, "Europe/Paris"),
    ("ines", "Inès", "Lambert", "community_manager", 10, "Europe/Paris"),
)
# The names coverage monitoring watches per client: (brands, competitors).
# Fictitious, like everything in the demo.
CLIENT_WATCH = {
    "Héliande Énergies": (["Héliande Solaire", "Héliande Stockage"], ["Ventora", "Solvéa"]),
    "Maison Boréalie": (["Boréalie"], ["Érablière du Nord"]),
}
# (name, language, website, description, colour, viewer username, first, last)
CLIENTS: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    (
        "Héliande Énergies",
        "fr",
        "https://www.heliande-energies.example",
        "Producteur français d'énergies renouvelables : parcs solaires et éoliens, "
        "stockage et autoconsommation collective.",
        "#0f766e",
        "client-heliande",
        "Claire",
        "Vasseur",
    ),
    (
        "Maison Boréalie",
        "fr",
        "https://www.borealie.example",
        "Marque québécoise de produits de l'érable et de fromages fins, partenaire "
        "de festivals culturels au Québec.",
        "#b45309",
        "client-borealie",
        "Mathieu",
        "Bouchard",
    ),
)
