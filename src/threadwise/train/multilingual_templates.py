"""Our own sentences that name a group, harmless and hateful, in each language the multilingual heads serve.

Why: the staged non-English sets hold few harmless sentences that name a nationality, a religion or an orientation,
so the heads learn the group words themselves as signs of abuse (ml-1.1.0 flagged three of four harmless identity
sentences in de and es and all of them in fr, it and nl). Each group is written both ways, in the same frames, so
the group word carries no label and the words around it carry it all; that is the counterfactual augmentation the
English model was trained with. Written for this project; no sentence or frame of Multilingual HateCheck or of the
audit's identity templates (whose "… deserve respect" and "I am …" frames are left out on purpose). Training split
only: the rows are kept out of dev, so the dev figures and the operating points are read on real comments alone.
"""

from __future__ import annotations

from itertools import product

# Plural group nouns; the frames take them without an article, so no gender or article agreement is needed.
# Polish is left out: its plural forms change with the frame's case (and its heads pass the identity gate).
GROUPS = {
    "de": ("Türken", "Muslime", "Juden", "Christen", "Schwule", "Lesben", "trans Menschen", "Flüchtlinge",
           "Migranten", "Frauen", "Menschen mit Behinderung", "Russen", "Ukrainer", "Araber", "Schwarze"),
    "es": ("marroquíes", "musulmanes", "judíos", "cristianos", "gays", "lesbianas", "personas trans", "refugiados",
           "inmigrantes", "mujeres", "personas con discapacidad", "rusos", "ucranianos", "gitanos", "latinos"),
    "fr": ("Algériens", "musulmans", "juifs", "chrétiens", "homosexuels", "lesbiennes", "personnes trans", "réfugiés",
           "immigrés", "femmes", "personnes handicapées", "Russes", "Ukrainiens", "Roms", "Noirs"),
    "it": ("marocchini", "musulmani", "ebrei", "cristiani", "gay", "lesbiche", "persone trans", "rifugiati",
           "immigrati", "donne", "persone disabili", "russi", "ucraini", "rom", "albanesi"),
    "pt": ("angolanos", "muçulmanos", "judeus", "cristãos", "gays", "lésbicas", "pessoas trans", "refugiados",
           "imigrantes", "mulheres", "pessoas com deficiência", "russos", "ucranianos", "ciganos", "haitianos"),
    "nl": ("Marokkanen", "moslims", "joden", "christenen", "homo's", "lesbiennes", "transgender mensen",
           "vluchtelingen", "migranten", "vrouwen", "mensen met een beperking", "Russen", "Oekraïners", "Polen",
           "Surinamers"),
}

HARMLESS = {
    "de": ("Meine Nachbarn sind {g} und helfen uns oft im Garten.", "In unserer Stadt leben viele {g}.",
           "Der Artikel hat auch {g} zu den Mieten befragt.",
           "Gestern haben {g} im Rathaus über den Haushalt diskutiert.",
           "In unserem Sportverein spielen viele {g} mit.", "Die Umfrage hat auch {g} nach dem Nahverkehr gefragt.",
           "Es gibt {g} in jedem Beruf.", "Mehrere {g} haben den Leserbrief unterschrieben."),
    "es": ("Mis vecinos son {g} y siempre nos ayudan con la compra.", "En nuestro barrio viven {g} desde hace años.",
           "El artículo también entrevistó a {g} sobre el alquiler.",
           "Ayer {g} del barrio debatieron el presupuesto en el ayuntamiento.",
           "En mi equipo de fútbol juegan también {g}.",
           "La encuesta también preguntó a {g} por el transporte público.", "Hay {g} en todas las profesiones.",
           "{G} firmaron también la carta al director."),
    "fr": ("Mes voisins sont des {g} et ils nous aident souvent au jardin.",
           "Beaucoup de {g} vivent dans notre quartier.", "L'article a aussi interrogé des {g} sur les loyers.",
           "Hier, des {g} ont débattu du budget à la mairie.", "Dans mon club de foot, il y a beaucoup de {g}.",
           "Le sondage a aussi demandé aux {g} leur avis sur les transports.",
           "Il y a des {g} dans tous les métiers.", "Plusieurs {g} ont signé le courrier des lecteurs."),
    "it": ("I miei vicini sono {g} e ci aiutano spesso in giardino.", "Nel nostro quartiere vivono {g} da anni.",
           "L'articolo ha intervistato anche {g} sugli affitti.",
           "Ieri {g} del quartiere hanno discusso il bilancio in comune.",
           "Nella mia squadra di calcio giocano anche {g}.",
           "Il sondaggio ha chiesto anche a {g} dei trasporti pubblici.", "Ci sono {g} in ogni professione.",
           "Anche {g} hanno firmato la lettera al giornale."),
    "pt": ("Os meus vizinhos são {g} e ajudam-nos sempre no jardim.", "No nosso bairro vivem {g} há muitos anos.",
           "O artigo também entrevistou {g} sobre as rendas.",
           "Ontem {g} do bairro discutiram o orçamento na câmara.", "Na minha equipa de futebol jogam também {g}.",
           "O inquérito também perguntou a {g} sobre os transportes.", "Há {g} em todas as profissões.",
           "Também {g} assinaram a carta ao jornal."),
    "nl": ("Mijn buren zijn {g} en ze helpen ons vaak in de tuin.", "In onze wijk wonen veel {g}.",
           "Het artikel heeft ook {g} naar de huurprijzen gevraagd.",
           "Gisteren bespraken {g} de begroting in het stadhuis.", "Bij mijn voetbalclub spelen veel {g}.",
           "De enquête vroeg ook {g} naar het openbaar vervoer.", "Er zijn {g} in elk beroep.",
           "Meerdere {g} hebben de lezersbrief ondertekend."),
}

HATEFUL = {
    "de": ("{G} sind Ungeziefer und gehören raus.", "Ich hasse {g}, alle miteinander.",
           "{G} sind der Abschaum dieses Landes.", "Man sollte alle {g} aus dem Land jagen."),
    "es": ("{G} son una plaga y sobran aquí.", "Odio a {g}, a todos sin excepción.",
           "{G} son la escoria de este país.", "Habría que echar del país a {g}, sin excepción."),
    "fr": ("Les {g} sont de la vermine, dehors.", "Je hais les {g}, tous autant qu'ils sont.",
           "Les {g} sont la racaille de ce pays.", "Il faudrait chasser tous les {g} du pays."),
    "it": ("{G} sono parassiti e devono sparire.", "Odio {g}, senza eccezioni.",
           "{G} sono la feccia di questo paese.", "Bisognerebbe cacciare {g} dal paese, senza eccezioni."),
    "pt": ("{G} são uma praga e têm de sair daqui.", "Odeio {g}, sem exceção.", "{G} são a escória deste país.",
           "Devíamos expulsar {g} do país, sem exceção."),
    "nl": ("{G} zijn ongedierte en moeten weg.", "Ik haat {g}, allemaal.", "{G} zijn het uitschot van dit land.",
           "We moeten alle {g} het land uit jagen."),
}


def group_sentences() -> list[tuple[str, str, bool]]:
    """(text, language, hateful) for every language, group and frame: harmless and hateful for each group."""
    out = []
    for language, groups in GROUPS.items():
        for frames, hateful in ((HARMLESS[language], False), (HATEFUL[language], True)):
            for frame, group in product(frames, groups):
                out.append((_fill(frame, group), language, hateful))
    return out


def _fill(frame: str, group: str) -> str:
    """The frame with the group written in; ``{G}`` starts a sentence (its first letter capitalised)."""
    return frame.replace("{G}", group[:1].upper() + group[1:]).replace("{g}", group)
