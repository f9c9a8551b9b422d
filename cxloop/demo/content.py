"""The demo chain's fixed content: organisations, units, journeys, names, score effects and verbatims.

Everything here is plain data so the generator stays small and a reader can change the
story of the demo (who is weak, who improves, what customers complain about) in one place.
Score effects are in "latent points": shifts of the mean of a 0–10 score before rounding.
"""

from dataclasses import dataclass, field

CHAIN_NAME = "Autoketen"
CHAIN_SLUG = "autoketen"
DEFAULT_PASSWORD = "cxloop-demo"
PASSWORD_ENV = "CXLOOP_DEMO_PASSWORD"


@dataclass(frozen=True)
class OrgSpec:
    """An organisation of the chain; `brand` is the name the customer knows."""

    slug: str
    name: str
    brand: str
    prefix: str
    domain: str
    sender_email: str
    reply_to_email: str
    visibility: str | None  # of the owner's journeys; None for the owner itself
    effect: float = 0.0


ORGANISATIONS = (
    OrgSpec(
        "leasewijs",
        "Leasewijs",
        "Leasewijs",
        "LW",
        "leasewijs.example",
        "klantenservice@leasewijs.nl",
        "klantenservice@leasewijs.nl",
        None,
    ),
    # An outsourced call centre answers in the client's name, so its survey asks about Leasewijs.
    OrgSpec(
        "belcentrum",
        "Belcentrum Direct",
        "Leasewijs",
        "BC",
        "belcentrum.example",
        "leasewijs@belcentrum.nl",
        "klantcontact@belcentrum.nl",
        "totals",
        effect=-0.2,
    ),
    OrgSpec(
        "vandijk",
        "Schadeherstel Van Dijk",
        "Schadeherstel Van Dijk",
        "VD",
        "vandijk.example",
        "receptie@schadeherstelvandijk.nl",
        "receptie@schadeherstelvandijk.nl",
        "own",
        effect=0.4,
    ),
)


@dataclass(frozen=True)
class UnitSpec:
    """A unit, its place in the tree, how many people work there and how customers rate it."""

    organisation: str
    slug: str
    name: str
    kind: str
    parent: str | None = None
    staff: int = 0  # employees including the lead; a department's one person is its manager
    hours: tuple[int, int] = (8, 18)  # when its contacts happen, local time
    effect: float = 0.0
    trend: float = 0.0  # improvement over the six months, from −trend/2 to +trend/2
    wait_factor: float = 1.0  # how much longer than usual its customers wait for an answer


UNITS = (
    UnitSpec("leasewijs", "klantzaken", "Klantzaken", "division"),
    UnitSpec("leasewijs", "klantenservice", "Klantenservice", "department", "klantzaken", staff=1),
    UnitSpec("leasewijs", "team-noord", "Team Noord", "team", "klantenservice", staff=6),
    # Started calling back every detractor halfway through: the demo's improvement story.
    UnitSpec("leasewijs", "team-zuid", "Team Zuid", "team", "klantenservice", staff=6, trend=2.4),
    UnitSpec(
        "leasewijs", "team-zakelijk", "Team Zakelijk", "team", "klantenservice", staff=5, effect=0.3
    ),
    UnitSpec(
        "leasewijs", "schadeafhandeling", "Schadeafhandeling", "department", "klantzaken", staff=1
    ),
    UnitSpec(
        "leasewijs",
        "schade-particulier",
        "Team Schade Particulier",
        "team",
        "schadeafhandeling",
        staff=5,
    ),
    UnitSpec(
        "leasewijs", "schade-zakelijk", "Team Schade Zakelijk", "team", "schadeafhandeling", staff=4
    ),
    UnitSpec(
        "leasewijs", "wagenparkbeheer", "Wagenparkbeheer", "department", "klantzaken", staff=1
    ),
    UnitSpec(
        "leasewijs", "team-inname", "Team Inname", "team", "wagenparkbeheer", staff=4, effect=-0.2
    ),
    UnitSpec(
        "leasewijs",
        "team-verlenging",
        "Team Verlenging",
        "team",
        "wagenparkbeheer",
        staff=4,
        effect=0.2,
    ),
    UnitSpec("belcentrum", "inbound", "Inbound", "department", staff=1),
    UnitSpec("belcentrum", "team-dag", "Team Dag", "team", "inbound", staff=6, hours=(8, 18)),
    # Understaffed evening shift: long waiting times make it the demo's weak team.
    UnitSpec(
        "belcentrum",
        "team-avond",
        "Team Avond",
        "team",
        "inbound",
        staff=5,
        hours=(18, 22),
        effect=-0.5,
        wait_factor=5.0,
    ),
    UnitSpec(
        "belcentrum",
        "team-flex",
        "Team Flex",
        "team",
        "inbound",
        staff=4,
        hours=(10, 20),
        effect=-0.1,
        wait_factor=1.8,
    ),
    UnitSpec("vandijk", "werkplaats", "Werkplaats", "department", staff=1),
    UnitSpec("vandijk", "plaatwerk", "Plaatwerk", "team", "werkplaats", staff=4, hours=(7, 17)),
    UnitSpec("vandijk", "spuiterij", "Spuiterij", "team", "werkplaats", staff=3, hours=(7, 17)),
    UnitSpec("vandijk", "receptie", "Receptie", "team", staff=3, hours=(8, 17)),
)

# The team whose lead and one agent get the demo logins `teamleider` and `medewerker`.
DEMO_TEAM = ("leasewijs", "team-noord")

CHANNELS = (
    ("telefoon", "Telefoon"),
    ("e-mail", "E-mail"),
    ("chat", "Chat"),
    ("whatsapp", "WhatsApp"),
    ("social-media", "Social media"),
    ("website-app", "Website/app"),
    ("persoonlijk", "Persoonlijk"),
    ("video", "Video"),
    ("brief", "Brief"),
)

CHANNEL_EFFECT = {
    "telefoon": -0.2,
    "e-mail": -0.1,
    "chat": 0.3,
    "whatsapp": 0.3,
    "social-media": -0.6,
    "website-app": 0.0,
    "persoonlijk": 0.4,
    "video": 0.3,
    "brief": -0.4,
}

# Channel × journey: reporting damage by chat works, by phone it drags (queues at peak hours).
JOURNEY_CHANNEL_EFFECT = {("schade-melden", "chat"): 0.7, ("schade-melden", "telefoon"): -0.6}

# How long customers usually wait for an answer per channel (median seconds), and how long
# they find acceptable: phone picked up within two minutes, chat within one, e-mail the same day.
# Channels without a queue (in person, video, letter, website) have no waiting time.
CHANNEL_WAIT = {
    "telefoon": (90, 120),
    "chat": (30, 60),
    "whatsapp": (600, 900),
    "e-mail": (4 * 3600, 8 * 3600),
    "social-media": (3 * 3600, 6 * 3600),
}


@dataclass(frozen=True)
class StepSpec:
    """One possible contact in a journey: where, with whom, through which channels."""

    touchpoint: str
    name: str
    organisation: str
    units: tuple[str, ...]
    channels: tuple[tuple[str, float], ...]
    probability: float = 1.0
    gap_days: tuple[int, int] = (0, 2)  # days after the previous contact
    repeat: float = 0.0  # chance that the customer has to make this contact again
    effect: float = 0.0


@dataclass(frozen=True)
class JourneySpec:
    """A journey type owned by Leasewijs and the contacts it usually consists of."""

    slug: str
    name: str
    prefix: str
    weight: float
    effect: float
    steps: tuple[StepSpec, ...] = field(default_factory=tuple)


CALL_CENTRE = ("team-dag", "team-avond", "team-flex")

JOURNEYS = (
    JourneySpec(
        "schade-melden",
        "Schade melden",
        "SCH",
        0.40,
        0.0,
        (
            StepSpec(
                "melding",
                "Schade melden",
                "belcentrum",
                CALL_CENTRE,
                (("telefoon", 0.55), ("chat", 0.25), ("whatsapp", 0.12), ("e-mail", 0.08)),
                repeat=0.15,
            ),
            StepSpec(
                "afspraak-maken",
                "Afspraak maken",
                "vandijk",
                ("receptie",),
                (("telefoon", 0.6), ("e-mail", 0.25), ("website-app", 0.15)),
                0.9,
                (0, 3),
            ),
            StepSpec(
                "reparatie",
                "Reparatie",
                "vandijk",
                ("plaatwerk", "spuiterij"),
                (("persoonlijk", 1.0),),
                0.9,
                (2, 9),
                effect=0.3,
            ),
            StepSpec(
                "auto-ophalen",
                "Auto ophalen",
                "vandijk",
                ("receptie",),
                (("persoonlijk", 0.8), ("telefoon", 0.2)),
                0.85,
                (2, 10),
            ),
            StepSpec(
                "afhandeling",
                "Afhandeling",
                "leasewijs",
                ("schade-particulier", "schade-zakelijk"),
                (("e-mail", 0.7), ("brief", 0.2), ("telefoon", 0.1)),
                0.6,
                (1, 7),
            ),
        ),
    ),
    JourneySpec(
        "auto-inleveren",
        "Auto inleveren",
        "INL",
        0.20,
        -0.2,
        (
            StepSpec(
                "aanmelden",
                "Inlevering aanmelden",
                "leasewijs",
                ("team-noord", "team-zuid", "team-zakelijk"),
                (("telefoon", 0.5), ("website-app", 0.35), ("e-mail", 0.15)),
            ),
            StepSpec(
                "inspectie",
                "Inspectie",
                "vandijk",
                ("plaatwerk",),
                (("persoonlijk", 1.0),),
                0.7,
                (3, 14),
            ),
            StepSpec(
                "inleveren",
                "Auto inleveren",
                "leasewijs",
                ("team-inname",),
                (("persoonlijk", 1.0),),
                0.95,
                (0, 5),
            ),
            StepSpec(
                "eindafrekening",
                "Eindafrekening",
                "leasewijs",
                ("team-inname",),
                (("e-mail", 0.6), ("brief", 0.3), ("telefoon", 0.1)),
                0.9,
                (5, 20),
                effect=-0.9,
            ),
        ),
    ),
    JourneySpec(
        "klacht",
        "Klacht",
        "KL",
        0.15,
        -1.3,
        (
            StepSpec(
                "indienen",
                "Klacht indienen",
                "belcentrum",
                CALL_CENTRE,
                (("telefoon", 0.5), ("e-mail", 0.25), ("social-media", 0.15), ("chat", 0.1)),
                repeat=0.25,
            ),
            StepSpec(
                "behandeling",
                "Behandeling",
                "leasewijs",
                ("team-noord", "team-zuid", "team-zakelijk"),
                (("telefoon", 0.6), ("e-mail", 0.3), ("video", 0.1)),
                0.9,
                (1, 6),
            ),
            StepSpec(
                "terugkoppeling",
                "Terugkoppeling",
                "leasewijs",
                ("team-noord", "team-zuid", "team-zakelijk"),
                (("telefoon", 0.5), ("e-mail", 0.35), ("brief", 0.15)),
                0.8,
                (1, 8),
            ),
        ),
    ),
    JourneySpec(
        "contractverlenging",
        "Contractverlenging",
        "VRL",
        0.25,
        0.4,
        (
            StepSpec(
                "aanvraag",
                "Aanvraag",
                "leasewijs",
                ("team-noord", "team-zuid", "team-zakelijk"),
                (("telefoon", 0.45), ("website-app", 0.4), ("chat", 0.15)),
            ),
            StepSpec(
                "offerte",
                "Offerte",
                "leasewijs",
                ("team-verlenging",),
                (("e-mail", 0.7), ("video", 0.3)),
                0.9,
                (1, 5),
            ),
            StepSpec(
                "ondertekening",
                "Ondertekening",
                "leasewijs",
                ("team-verlenging",),
                (("website-app", 0.6), ("persoonlijk", 0.25), ("brief", 0.15)),
                0.8,
                (2, 14),
            ),
        ),
    ),
)

FIRST_NAMES = (
    "Anouk",
    "Bram",
    "Daan",
    "Emma",
    "Fleur",
    "Joris",
    "Lotte",
    "Mees",
    "Noor",
    "Ruben",
    "Sanne",
    "Thijs",
    "Lieke",
    "Sem",
    "Iris",
    "Jesse",
    "Femke",
    "Luuk",
    "Julia",
    "Stijn",
    "Eva",
    "Milan",
    "Tessa",
    "Bas",
    "Romy",
    "Niels",
    "Maud",
    "Koen",
    "Esther",
    "Wouter",
    "Ingrid",
    "Kees",
    "Marieke",
    "Henk",
    "Yvonne",
    "Mohammed",
    "Fatima",
    "Yusuf",
    "Samira",
    "Priya",
    "Mehmet",
    "Ayşe",
    "Kevin",
    "Naomi",
    "Dewi",
    "Rik",
)

# (tussenvoegsel, achternaam): the tussenvoegsel is written in lower case after a first name.
SURNAMES = (
    ("de", "Vries"),
    ("van", "Dijk"),
    ("", "Jansen"),
    ("van den", "Berg"),
    ("van der", "Meer"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("de", "Graaf"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("de", "Jong"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Vliet"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("ter", "Horst"),
    ("van", "Dam"),
    ("van der", "Heijden"),
    ("", "Prins"),
    ("", "Huisman"),
    ("", "Yılmaz"),
    ("", "El Amrani"),
    ("", "Bouzid"),
    ("", "Nguyen"),
    ("", "Wijaya"),
    ("", "Kaya"),
    ("in 't", "Veld"),
)

# Topics customers write about, how often, and where each comes up more (keys: kind:slug).
TOPIC_BASE = {
    "wachttijd": 1.0,
    "vriendelijkheid": 1.0,
    "deskundigheid": 1.0,
    "terugbellen": 0.6,
    "informatie": 0.8,
    "doorlooptijd": 0.4,
    "prijs": 0.3,
    "website": 0.2,
}
TOPIC_BOOSTS = {
    "channel:telefoon": {"wachttijd": 1.2},
    "channel:website-app": {"website": 3.0},
    "channel:persoonlijk": {"vriendelijkheid": 1.0},
    "wait:long": {"wachttijd": 4.0},
    "journey:klacht": {"terugbellen": 2.0, "informatie": 0.5},
    "touchpoint:afspraak-maken": {"doorlooptijd": 1.0},
    "touchpoint:reparatie": {"doorlooptijd": 2.5, "deskundigheid": 0.5},
    "touchpoint:auto-ophalen": {"doorlooptijd": 1.5},
    "touchpoint:eindafrekening": {"prijs": 3.0, "informatie": 1.0},
    "touchpoint:offerte": {"prijs": 1.5},
}

# (language, topic, tone) → sentences; tones: neg (detractor), mixed (passive), pos (promoter).
VERBATIMS: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("nl", "wachttijd", "neg"): (
        "Ik moest drie keer bellen voordat iemand me kon helpen.",
        "Meer dan twintig minuten in de wacht gestaan.",
        "Na een half uur wachten werd de verbinding verbroken.",
        "'s Avonds is er bijna niet doorheen te komen.",
    ),
    ("nl", "wachttijd", "mixed"): (
        "Vriendelijke medewerker, maar het duurde lang voordat ik iemand aan de lijn had.",
        "Uiteindelijk goed geholpen, alleen de wachttijd was te lang.",
    ),
    ("nl", "wachttijd", "pos"): (
        "Binnen een minuut had ik iemand aan de lijn.",
        "Snel geholpen, geen wachttijd.",
        "Via de chat meteen antwoord gekregen.",
    ),
    ("nl", "vriendelijkheid", "neg"): (
        "De medewerker was kortaf en luisterde niet.",
        "Ik voelde me niet serieus genomen.",
        "Onvriendelijk te woord gestaan aan de balie.",
    ),
    ("nl", "vriendelijkheid", "mixed"): (
        "Aardig geholpen, maar mijn vraag is nog niet helemaal opgelost.",
        "Vriendelijk, maar ik moest alles twee keer uitleggen.",
    ),
    ("nl", "vriendelijkheid", "pos"): (
        "Heel vriendelijk en geduldig geholpen.",
        "Prettig gesprek, de medewerker nam echt de tijd.",
        "Hartelijk ontvangen en netjes geholpen.",
    ),
    ("nl", "deskundigheid", "neg"): (
        "De medewerker wist niet waar ik het over had.",
        "Ik kreeg drie verschillende antwoorden van drie medewerkers.",
        "Er werd alleen voorgelezen wat ik zelf ook op de website kan vinden.",
    ),
    ("nl", "deskundigheid", "mixed"): (
        "De medewerker deed zijn best, maar moest veel navragen.",
        "Redelijk geholpen, al moest ik zelf veel uitzoeken.",
    ),
    ("nl", "deskundigheid", "pos"): (
        "Snel geholpen en de medewerker dacht echt mee!",
        "Duidelijk uitgelegd wat er ging gebeuren.",
        "Deskundig advies gekregen over mijn nieuwe leasecontract.",
    ),
    ("nl", "terugbellen", "neg"): (
        "Niemand heeft me teruggebeld, terwijl dat wel beloofd was.",
        "Ik heb twee keer een terugbelverzoek gedaan en nooit iets gehoord.",
        "De afspraak werd niet nagekomen.",
    ),
    ("nl", "terugbellen", "mixed"): (
        "Ik werd teruggebeld, maar een dag later dan afgesproken.",
        "Afspraak werd nagekomen, al moest ik er zelf achteraan.",
    ),
    ("nl", "terugbellen", "pos"): (
        "Precies op het afgesproken moment teruggebeld.",
        "Fijn dat er keurig werd teruggebeld zoals beloofd.",
        "Alles wat was afgesproken is ook gebeurd.",
    ),
    ("nl", "informatie", "neg"): (
        "Ik hoorde niets over de voortgang van mijn melding.",
        "Niemand kon me vertellen wanneer ik mijn auto terug zou krijgen.",
        "De brief was onduidelijk en ik moest zelf bellen om het te begrijpen.",
    ),
    ("nl", "informatie", "mixed"): (
        "Goed geholpen, maar ik had graag eerder gehoord hoe het ervoor stond.",
        "De informatie klopte, alleen kwam die wat laat.",
    ),
    ("nl", "informatie", "pos"): (
        "Bij elke stap een berichtje gekregen, heel prettig.",
        "Helder gecommuniceerd over de vervolgstappen.",
        "Ik wist steeds precies waar ik aan toe was.",
    ),
    ("nl", "doorlooptijd", "neg"): (
        "Het duurde weken voordat alles was afgehandeld.",
        "De reparatie duurde twee weken langer dan afgesproken.",
        "Drie weken zonder auto en geen vervangend vervoer.",
        "Het duurde veel te lang voordat er een afspraak kon worden gemaakt.",
    ),
    ("nl", "doorlooptijd", "mixed"): (
        "Goed afgehandeld, maar het had sneller gekund.",
        "De reparatie is goed uitgevoerd, maar het duurde wel lang.",
        "Netjes gerepareerd, alleen een paar dagen later dan gepland.",
    ),
    ("nl", "doorlooptijd", "pos"): (
        "Alles was binnen een paar dagen afgehandeld.",
        "Auto werd netjes opgehaald en teruggebracht.",
        "Binnen een week was alles gerepareerd.",
        "Ik kon dezelfde week nog terecht.",
    ),
    ("nl", "prijs", "neg"): (
        "De eindafrekening was veel hoger dan verwacht.",
        "Ik moest betalen voor schade die er al zat.",
        "Onverwachte kosten zonder uitleg.",
    ),
    ("nl", "prijs", "mixed"): (
        "Het aanbod is redelijk, maar niet goedkoop.",
        "De kosten vielen mee, al was de uitleg summier.",
    ),
    ("nl", "prijs", "pos"): (
        "Eerlijke eindafrekening, geen verrassingen.",
        "Goede prijs voor de verlenging.",
    ),
    ("nl", "website", "neg"): (
        "De app liep steeds vast bij het uploaden van de foto's.",
        "Op de website kon ik nergens vinden hoe ik schade moest melden.",
        "Het formulier gaf een foutmelding en alles was weg.",
    ),
    ("nl", "website", "mixed"): (
        "De app werkt, maar is niet erg overzichtelijk.",
        "Online melden ging goed, alleen de bevestiging kwam niet aan.",
    ),
    ("nl", "website", "pos"): (
        "In de app was het in vijf minuten geregeld.",
        "Makkelijk online te regelen.",
    ),
    ("en", "wachttijd", "neg"): (
        "I had to call three times before anyone could help me.",
        "Waited on hold for over twenty minutes.",
    ),
    ("en", "wachttijd", "mixed"): ("Friendly agent, but it took a long time to get through.",),
    ("en", "wachttijd", "pos"): ("Someone picked up within a minute.", "Quick help, no waiting."),
    ("en", "vriendelijkheid", "neg"): ("The agent was curt and did not listen.",),
    ("en", "vriendelijkheid", "mixed"): (
        "Kind people, but my question is still not fully answered.",
    ),
    ("en", "vriendelijkheid", "pos"): (
        "Very friendly and patient.",
        "Pleasant conversation, they really took their time.",
    ),
    ("en", "deskundigheid", "neg"): ("I got three different answers from three people.",),
    ("en", "deskundigheid", "mixed"): ("The agent tried, but had to check a lot with colleagues.",),
    ("en", "deskundigheid", "pos"): (
        "Quick help and the agent really thought along!",
        "Clearly explained what would happen next.",
    ),
    ("en", "terugbellen", "neg"): ("Nobody called me back, even though they promised to.",),
    ("en", "terugbellen", "mixed"): ("They called back, but a day later than agreed.",),
    ("en", "terugbellen", "pos"): ("Called back exactly when they said they would.",),
    ("en", "informatie", "neg"): ("I never heard how my claim was progressing.",),
    ("en", "informatie", "mixed"): ("Good help, but I would have liked an update sooner.",),
    ("en", "informatie", "pos"): ("Kept informed at every step.",),
    ("en", "doorlooptijd", "neg"): ("The repair took two weeks longer than agreed.",),
    ("en", "doorlooptijd", "mixed"): ("Good repair, but it took a while.",),
    ("en", "doorlooptijd", "pos"): (
        "The car was picked up and returned neatly.",
        "Everything was repaired within a week.",
    ),
    ("en", "prijs", "neg"): ("The final invoice was much higher than expected.",),
    ("en", "prijs", "mixed"): ("A fair offer, but not cheap.",),
    ("en", "prijs", "pos"): ("Fair final invoice, no surprises.",),
    ("en", "website", "neg"): ("The app kept crashing when I uploaded photos.",),
    ("en", "website", "mixed"): ("The app works, but it is not very clear.",),
    ("en", "website", "pos"): ("Sorted it in the app in five minutes.",),
}

# Sentences that follow the first one now and then: (language, tone) → sentences.
CLOSERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("nl", "neg"): (
        "Zo raak je klanten kwijt.",
        "Erg teleurstellend.",
        "Ik overweeg over te stappen naar een andere leasemaatschappij.",
        "Dit moet echt beter.",
    ),
    ("nl", "pos"): ("Top!", "Ga zo door.", "Echt een aanrader.", "Dank jullie wel!"),
    ("en", "neg"): ("Very disappointing.", "This really needs to improve."),
    ("en", "pos"): ("Great job!", "Thank you!"),
}
COMPLIMENT = {"nl": "Complimenten voor {name}!", "en": "Compliments to {name}!"}

# Notes of a call to a dissatisfied customer, by whether they were reached.
CASE_NOTES = {
    True: (
        "Klant gebeld, excuses aangeboden voor de lange wachttijd.",
        "Klant gesproken; hij wil graag een vaste contactpersoon.",
        "Klant gesproken, de reparatieplanning samen doorgenomen.",
        "Klant teruggebeld; ze was blij dat er iemand belde.",
    ),
    False: (
        "Voicemail ingesproken met het verzoek terug te bellen.",
        "Geen gehoor, morgen opnieuw proberen.",
    ),
}
# Each organisation's root-cause taxonomy: (cause, what a lead typically did, the comment
# topics it explains), so that a case's root cause fits what the customer wrote.
ROOT_CAUSES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "leasewijs": (
        (
            "Terugbelafspraak niet nagekomen",
            "Excuses gemaakt; terugbelafspraken staan voortaan in het dossier.",
            ("terugbellen", "vriendelijkheid"),
        ),
        (
            "Onduidelijke informatie",
            "De brief over de vervolgstappen herschreven en de klant alles uitgelegd.",
            ("informatie", "deskundigheid"),
        ),
        (
            "Eindafrekening",
            "Eindafrekening nagelopen: de dubbel berekende schade is gecrediteerd.",
            ("prijs",),
        ),
        (
            "Doorlooptijd afhandeling",
            "Dossier met voorrang afgehandeld en de klant op de hoogte gehouden.",
            ("doorlooptijd", "wachttijd"),
        ),
        (
            "Website of app",
            "Storing bij het uploaden gemeld bij IT; de melding telefonisch opgenomen.",
            ("website",),
        ),
    ),
    "belcentrum": (
        (
            "Wachtrij avonddienst",
            "Wachttijd besproken in het teamoverleg; extra bezetting op de avond.",
            ("wachttijd", "terugbellen"),
        ),
        (
            "Onvoldoende productkennis",
            "Medewerker gecoacht op schademeldingen; klant alsnog goed geholpen.",
            ("deskundigheid", "informatie", "prijs"),
        ),
        (
            "Verkeerd doorverbonden",
            "Klant direct met de juiste afdeling verbonden; doorverbindlijst bijgewerkt.",
            ("vriendelijkheid", "doorlooptijd", "website"),
        ),
    ),
    "vandijk": (
        (
            "Planning werkplaats",
            "Nieuwe afspraak voor de reparatie ingepland met vervangend vervoer.",
            ("doorlooptijd", "wachttijd"),
        ),
        (
            "Onderdelen niet op voorraad",
            "Onderdelen met spoed besteld; klant dagelijks op de hoogte gehouden.",
            ("prijs",),
        ),
        (
            "Communicatie over voortgang",
            "Klant gebeld met de stand van zaken; sms-updates aangezet.",
            ("informatie", "terugbellen", "website"),
        ),
        (
            "Kwaliteit reparatie",
            "Auto kosteloos opnieuw nagekeken en het lakwerk hersteld.",
            ("deskundigheid", "vriendelijkheid"),
        ),
    ),
}

SURVEY_QUESTIONS = {
    "nps": (
        "Hoe waarschijnlijk is het dat u {brand} aanbeveelt aan vrienden of collega's?",
        "How likely are you to recommend {brand} to a friend or colleague?",
    ),
    "csat": (
        "Hoe tevreden bent u over dit contact met {brand}?",
        "How satisfied are you with this contact with {brand}?",
    ),
    "ces": (
        "{brand} maakte het mij makkelijk om mijn zaak te regelen.",
        "{brand} made it easy for me to handle my request.",
    ),
    "open": (
        "Wat is de belangrijkste reden voor uw score?",
        "What is the main reason for your score?",
    ),
}


@dataclass(frozen=True)
class DemoUserSpec:
    """A login of the demo that is not an ordinary employee; `role` is a Role value."""

    username: str
    organisation: str
    role: str
    label: str


DEMO_STAFF = (
    DemoUserSpec("beheerder", "leasewijs", "org_admin", "organisation admin"),
    DemoUserSpec("klanteigenaar", "leasewijs", "journey_owner", "journey owner"),
    DemoUserSpec("analist", "leasewijs", "analyst", "analyst"),
    DemoUserSpec("privacy", "leasewijs", "privacy_officer", "privacy officer"),
    DemoUserSpec("partner", "belcentrum", "org_admin", "partner admin"),
    DemoUserSpec("garage", "vandijk", "org_admin", "partner admin"),
)
DEMO_LEAD_USERNAME = "teamleider"
DEMO_AGENT_USERNAME = "medewerker"
# The platform's operator (Django's /admin/), apart from every organisation's own admin.
DEMO_PLATFORM_USERNAME = "platform"
DEMO_USERNAMES = tuple(s.username for s in DEMO_STAFF) + (
    DEMO_LEAD_USERNAME,
    DEMO_AGENT_USERNAME,
    DEMO_PLATFORM_USERNAME,
)


# Sentences that only make sense for some contacts: a phone queue is not a chat, the workshop's
# repair is not the call centre's. Keys: "channel", "touchpoint", "journey"; every key a sentence
# names must hold for its contact. Sentences not listed fit any contact.
PHONE = frozenset({"telefoon"})
SPOKEN = frozenset({"telefoon", "persoonlijk", "video"})
APP = frozenset({"website-app"})
REPAIR = frozenset({"reparatie", "auto-ophalen"})
_FITS_BY_CONDITION: tuple[tuple[dict[str, frozenset[str]], tuple[str, ...]], ...] = (
    (
        {"channel": PHONE},
        (
            "Ik moest drie keer bellen voordat iemand me kon helpen.",
            "Meer dan twintig minuten in de wacht gestaan.",
            "Na een half uur wachten werd de verbinding verbroken.",
            "'s Avonds is er bijna niet doorheen te komen.",
            "Vriendelijke medewerker, maar het duurde lang voordat ik iemand aan de lijn had.",
            "Binnen een minuut had ik iemand aan de lijn.",
            "Er werd alleen voorgelezen wat ik zelf ook op de website kan vinden.",
            "I had to call three times before anyone could help me.",
            "Waited on hold for over twenty minutes.",
            "Friendly agent, but it took a long time to get through.",
            "Someone picked up within a minute.",
        ),
    ),
    ({"channel": frozenset({"chat", "whatsapp"})}, ("Via de chat meteen antwoord gekregen.",)),
    (
        {"channel": frozenset({"persoonlijk"})},
        ("Onvriendelijk te woord gestaan aan de balie.", "Hartelijk ontvangen en netjes geholpen."),
    ),
    (
        {"channel": SPOKEN},
        (
            "Prettig gesprek, de medewerker nam echt de tijd.",
            "Pleasant conversation, they really took their time.",
        ),
    ),
    (
        {"touchpoint": REPAIR},
        (
            "De reparatie duurde twee weken langer dan afgesproken.",
            "Drie weken zonder auto en geen vervangend vervoer.",
            "De reparatie is goed uitgevoerd, maar het duurde wel lang.",
            "Netjes gerepareerd, alleen een paar dagen later dan gepland.",
            "Auto werd netjes opgehaald en teruggebracht.",
            "Binnen een week was alles gerepareerd.",
            "Niemand kon me vertellen wanneer ik mijn auto terug zou krijgen.",
            "The repair took two weeks longer than agreed.",
            "Good repair, but it took a while.",
            "The car was picked up and returned neatly.",
            "Everything was repaired within a week.",
        ),
    ),
    (
        {"touchpoint": frozenset({"afspraak-maken", "reparatie"})},
        (
            "Het duurde veel te lang voordat er een afspraak kon worden gemaakt.",
            "Ik kon dezelfde week nog terecht.",
        ),
    ),
    (
        {"touchpoint": frozenset({"eindafrekening"})},
        (
            "De eindafrekening was veel hoger dan verwacht.",
            "Eerlijke eindafrekening, geen verrassingen.",
            "The final invoice was much higher than expected.",
            "Fair final invoice, no surprises.",
        ),
    ),
    (
        {"touchpoint": frozenset({"eindafrekening", "inspectie", "inleveren"})},
        ("Ik moest betalen voor schade die er al zat.",),
    ),
    (
        {"journey": frozenset({"contractverlenging"})},
        (
            "Het aanbod is redelijk, maar niet goedkoop.",
            "Goede prijs voor de verlenging.",
            "Deskundig advies gekregen over mijn nieuwe leasecontract.",
            "A fair offer, but not cheap.",
        ),
    ),
    (
        {"journey": frozenset({"schade-melden", "klacht"})},
        (
            "Ik hoorde niets over de voortgang van mijn melding.",
            "I never heard how my claim was progressing.",
        ),
    ),
    (
        {"journey": frozenset({"schade-melden"})},
        ("Op de website kon ik nergens vinden hoe ik schade moest melden.",),
    ),
    (
        {"channel": APP},
        (
            "De app liep steeds vast bij het uploaden van de foto's.",
            "Het formulier gaf een foutmelding en alles was weg.",
            "De app werkt, maar is niet erg overzichtelijk.",
            "Online melden ging goed, alleen de bevestiging kwam niet aan.",
            "In de app was het in vijf minuten geregeld.",
            "Makkelijk online te regelen.",
            "The app kept crashing when I uploaded photos.",
            "The app works, but it is not very clear.",
            "Sorted it in the app in five minutes.",
        ),
    ),
)
SENTENCE_FITS: dict[str, dict[str, frozenset[str]]] = {
    sentence: condition for condition, sentences in _FITS_BY_CONDITION for sentence in sentences
}


def sentence_fits(sentence: str, *, channel: str, touchpoint: str, journey: str) -> bool:
    """Whether a customer after this contact could have written the sentence."""
    contact = {"channel": channel, "touchpoint": touchpoint, "journey": journey}
    condition = SENTENCE_FITS.get(sentence, {})
    return all(contact[key] in allowed for key, allowed in condition.items())
