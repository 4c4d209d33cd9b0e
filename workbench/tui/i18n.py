"""French and English messages of the terminal interface.

French is the default when the locale is French (``LANG``, ``LC_ALL`` or
``LC_MESSAGES`` starting with ``fr``), English otherwise; ``WORKBENCH_LANG=fr|en``
overrides, and the interface can switch at run time (``ctrl+l``).

    >>> set_language("en"); t("coded", code="Freins/Mobilité")
    'Coded: Freins/Mobilité'
"""
from __future__ import annotations

import os

LANGUAGES = ("fr", "en")

FR: dict[str, str] = {
    # navigation / screens
    "app.title": "Workbench",
    "screen.home": "Accueil", "screen.documents": "Documents", "screen.coder": "Codage",
    "screen.codebook": "Grille de codes", "screen.retrieval": "Extraits",
    "screen.memos": "Mémos", "screen.participants": "Participants", "screen.help": "Aide",
    "screen.queries": "Requêtes", "screen.topics": "Thèmes (topic models)",
    "key.back": "Retour", "key.quit": "Quitter", "key.help": "Aide", "key.open": "Ouvrir",
    "key.language": "English", "key.refresh": "Actualiser", "key.palette": "Commandes",
    "key.home": "Accueil", "key.documents": "Documents", "key.codebook": "Codes",
    "key.retrieval": "Extraits", "key.memos": "Mémos", "key.participants": "Participants",
    "key.queries": "Requêtes", "key.topics": "Thèmes", "key.import": "Importer",
    "key.search": "Rechercher", "key.filter": "Filtrer",
    # home
    "home.documents": "Documents", "home.codes": "Codes", "home.codings": "Codages",
    "home.coders": "Codeurs", "home.memos": "Mémos", "home.participants": "Participants",
    "home.uncoded": "Documents non codés", "home.activity": "Activité récente",
    "home.by_programme": "Documents par programme et type d'acteur",
    "home.programme": "Programme", "home.actor_type": "Type d'acteur", "home.count": "Nb",
    "home.words": "mots", "home.nothing_uncoded": "Tous les documents sont codés.",
    "home.menu": "d documents · b grille de codes · r extraits · m mémos · p participants · "
                 "i importer · a analyse · v questions · e exporter · ? aide · ctrl+p commandes",
    # documents
    "docs.filter_programme": "Programme", "docs.filter_actor": "Type d'acteur",
    "docs.filter_status": "Codage", "docs.status_coded": "codés",
    "docs.status_uncoded": "non codés", "docs.attribute": "attribut=valeur (participant)",
    "docs.search": "Recherche plein texte…", "docs.results": "{n} résultat(s) pour « {q} »",
    "docs.count": "{n} document(s)", "docs.name": "Document", "docs.words": "Mots",
    "docs.turns": "Tours", "docs.codings": "Codages", "docs.participants": "Participants",
    "docs.date": "Date", "docs.context": "Contexte", "docs.speaker": "Locuteur",
    "docs.bad_attribute": "Filtre d'attribut attendu sous la forme attribut=valeur",
    # coder
    "coder.status": "{doc} · tour {turn}/{turns} · {sel}",
    "coder.no_selection": "aucune sélection (v : sélectionner le tour)",
    "coder.selection": "sélection : {n} caractères",
    "coder.coded": "Codé : {code}", "coder.coded_n": "Codé : {code} ({n} passages)",
    "coder.removed": "Codage retiré : {code}", "coder.no_coding": "Aucun codage sous le curseur",
    "coder.memo_saved": "Mémo enregistré sur {code}", "coder.undone": "Annulé : {label}",
    "coder.redone": "Rétabli : {label}", "coder.nothing_undo": "Rien à annuler",
    "coder.nothing_redo": "Rien à rétablir", "coder.no_uncoded": "Plus aucun tour non codé après le curseur",
    "coder.recent_none": "Pas de code récent n° {n}", "coder.search": "Rechercher dans l'entretien…",
    "coder.not_found": "« {q} » introuvable", "coder.attributes": "Participants",
    "coder.no_participants": "Aucun participant lié à ce document.",
    "coder.choose_coding": "Quel codage ?", "coder.memo_title": "Mémo sur le codage {code}",
    "coder.recent": "Récents", "coder.codings_here": "Codages ici",
    "coder.refreshed": "Document mis à jour (modifié par un autre processus)",
    "coder.empty_turn": "Ce tour est vide",
    "coder.up": "tour précédent", "coder.down": "tour suivant", "coder.word": "mot",
    "coder.sentence": "phrase", "coder.select": "sélectionner", "coder.code": "coder",
    "coder.remove": "retirer", "coder.memo": "mémo", "coder.undo": "annuler",
    "coder.redo": "rétablir", "coder.next_uncoded": "non codé suivant",
    "coder.attrs": "attributs", "coder.docs": "documents",
    # picker
    "picker.title": "Appliquer un code", "picker.placeholder": "Nom, chemin ou définition…",
    "picker.create": "+ Créer le code « {name} »", "picker.created": "Code créé : {path}",
    "picker.choose_parent": "Nouveau parent (vide = racine)", "picker.choose_target": "Fusionner dans…",
    "picker.root": "(racine)",
    # codebook
    "cb.code": "Code", "cb.codings": "Codages", "cb.docs": "Docs", "cb.definition": "Définition",
    "cb.short": "Résumé", "cb.when_to_use": "Quand l'utiliser", "cb.when_not": "Quand ne pas l'utiliser",
    "cb.example": "Exemple", "cb.questions": "Questions évaluatives", "cb.none": "—",
    "cb.new": "nouveau", "cb.new_child": "sous-code", "cb.rename": "renommer", "cb.move": "déplacer",
    "cb.merge": "fusionner", "cb.delete": "supprimer", "cb.edit": "définition",
    "cb.excerpts": "extraits", "cb.new_prompt": "Nom du nouveau code (Parent/Enfant accepté)",
    "cb.child_prompt": "Nom du sous-code de {parent}", "cb.rename_prompt": "Nouveau nom de {code}",
    "cb.definition_prompt": "Définition de {code}", "cb.created": "Code créé : {path}",
    "cb.renamed": "Renommé : {old} → {new}", "cb.moved": "Déplacé : {code} → {parent}",
    "cb.merged": "Fusionné : {source} → {target} ({n} codages déplacés)",
    "cb.merge_confirm": "Fusionner « {source} » dans « {target} » ? Les codages, sous-codes et mémos seront déplacés.",
    "cb.deleted": "Supprimé : {code}", "cb.updated": "Définition enregistrée : {code}",
    "cb.empty": "Aucun code. Tapez n pour en créer un.", "cb.total": "{n} code(s)",
    # retrieval
    "ret.pick": "Choisir un code (c) ou une question évaluative (e)",
    "ret.title": "{n} extrait(s) de « {code} »", "ret.question": "Question {q}",
    "ret.filter": "Filtrer (document, locuteur, texte, attribut)…", "ret.document": "Document",
    "ret.speaker": "Locuteur", "ret.actor": "Acteur", "ret.attributes": "Attributs",
    "ret.text": "Extrait", "ret.code": "Code", "ret.no_questions": "Aucune question évaluative liée aux codes",
    "ret.choose_question": "Question évaluative", "ret.shown": "{shown}/{n} affiché(s)",
    # memos
    "memos.title": "Mémos", "memos.target": "Sur", "memos.text": "Texte", "memos.coder": "Codeur",
    "memos.date": "Modifié", "memos.new": "Nouveau mémo de projet", "memos.edit": "Modifier le mémo",
    "memos.saved": "Mémo enregistré", "memos.deleted": "Mémo supprimé",
    "memos.delete_confirm": "Supprimer ce mémo ?", "memos.count": "{n} mémo(s)",
    # participants
    "parts.count": "{n} participant(s)", "parts.id": "ID", "parts.documents": "Documents",
    "parts.no_docs": "Aucun document pour ce participant",
    "parts.import_prompt": "Tableau des participants (CSV, TSV, texte Unicode ou XLSX)",
    "parts.id_column": "Colonne des identifiants (facultatif : détectée)",
    "parts.types_title": "Le fichier ne correspond pas aux types du projet",
    "parts.override_prompt": "Changer le type pour tout le projet (cochez, puis importez) :",
    "parts.override_one": "{name} : {old} → {new}",
    "parts.override_ok": "Changer ces types et importer",
    "parts.imported": "{added} participant(s) ajouté(s), {updated} mis à jour",
    "parts.retyped": "{name} : {old} → {new} (pour tout le projet)",
    "import.new_programme": "ou nouveau programme",
    # dialogs
    "dlg.ok": "OK", "dlg.cancel": "Annuler", "dlg.confirm": "Confirmer", "dlg.save": "Enregistrer",
    "dlg.error": "Erreur", "dlg.confirm_title": "Confirmation", "dlg.close": "Fermer",
    "dlg.unexpected": "Erreur inattendue", "dlg.save_hint": "ctrl+s enregistrer · échap annuler",
    "progress.cancel": "Annuler", "progress.cancelled": "Annulé", "progress.done": "Terminé : {label}",
    "import.prompt": "Fichiers ou dossier à importer (chemins séparés par des espaces)",
    "import.manifest": "Manifeste CSV/YAML (facultatif : programme, acteur, participants par fichier)",
    "import.done": "{n} document(s) importé(s), {f} échec(s)", "import.label": "Import",
    "import.columns": "Colonnes d’un tableau (facultatif) : speaker=Qui, text=Dit, start=Début, tags=Codes",
    "import.tags": "Importer la colonne tags comme codages",
    # misc
    "lang.switched": "Interface en français", "refreshed": "Actualisé",
    "help.title": "Aide — touches",
    "queries.none": "Le module de requêtes n'est pas encore disponible.",
    "queries.expr": "Expression de requête…", "queries.saved": "Requêtes enregistrées",
    "topics.none": "Le module de thèmes n'est pas encore disponible.",
    "topics.runs": "Analyses", "topics.fit": "Nouvelle analyse", "topics.promote": "Créer un code",
    "topics.promoted": "Thème promu en code : {code}",
    "actor.beneficiary": "bénéficiaire", "actor.trainer": "formateur", "actor.operator": "opérateur",
    "actor.other": "autre",
}

EN: dict[str, str] = {
    "app.title": "Workbench",
    "screen.home": "Home", "screen.documents": "Documents", "screen.coder": "Coding",
    "screen.codebook": "Codebook", "screen.retrieval": "Excerpts", "screen.memos": "Memos",
    "screen.participants": "Participants", "screen.help": "Help", "screen.queries": "Queries",
    "screen.topics": "Topics",
    "key.back": "Back", "key.quit": "Quit", "key.help": "Help", "key.open": "Open",
    "key.language": "Français", "key.refresh": "Refresh", "key.palette": "Commands",
    "key.home": "Home", "key.documents": "Documents", "key.codebook": "Codes",
    "key.retrieval": "Excerpts", "key.memos": "Memos", "key.participants": "Participants",
    "key.queries": "Queries", "key.topics": "Topics", "key.import": "Import",
    "key.search": "Search", "key.filter": "Filter",
    "home.documents": "Documents", "home.codes": "Codes", "home.codings": "Codings",
    "home.coders": "Coders", "home.memos": "Memos", "home.participants": "Participants",
    "home.uncoded": "Uncoded documents", "home.activity": "Recent activity",
    "home.by_programme": "Documents by programme and actor type",
    "home.programme": "Programme", "home.actor_type": "Actor type", "home.count": "N",
    "home.words": "words", "home.nothing_uncoded": "Every document is coded.",
    "home.menu": "d documents · b codebook · r excerpts · m memos · p participants · "
                 "i import · a analysis · v questions · e export · ? help · ctrl+p commands",
    "docs.filter_programme": "Programme", "docs.filter_actor": "Actor type",
    "docs.filter_status": "Coding", "docs.status_coded": "coded", "docs.status_uncoded": "uncoded",
    "docs.attribute": "attribute=value (participant)", "docs.search": "Full-text search…",
    "docs.results": "{n} result(s) for “{q}”", "docs.count": "{n} document(s)",
    "docs.name": "Document", "docs.words": "Words", "docs.turns": "Turns", "docs.codings": "Codings",
    "docs.participants": "Participants", "docs.date": "Date", "docs.context": "Context",
    "docs.speaker": "Speaker", "docs.bad_attribute": "Attribute filter must be attribute=value",
    "coder.status": "{doc} · turn {turn}/{turns} · {sel}",
    "coder.no_selection": "no selection (v: select the turn)",
    "coder.selection": "selection: {n} characters",
    "coder.coded": "Coded: {code}", "coder.coded_n": "Coded: {code} ({n} passages)",
    "coder.removed": "Coding removed: {code}", "coder.no_coding": "No coding under the cursor",
    "coder.memo_saved": "Memo saved on {code}", "coder.undone": "Undone: {label}",
    "coder.redone": "Redone: {label}", "coder.nothing_undo": "Nothing to undo",
    "coder.nothing_redo": "Nothing to redo", "coder.no_uncoded": "No uncoded turn after the cursor",
    "coder.recent_none": "No recent code #{n}", "coder.search": "Search this interview…",
    "coder.not_found": "“{q}” not found", "coder.attributes": "Participants",
    "coder.no_participants": "No participant linked to this document.",
    "coder.choose_coding": "Which coding?", "coder.memo_title": "Memo on coding {code}",
    "coder.recent": "Recent", "coder.codings_here": "Codings here",
    "coder.refreshed": "Document updated (changed by another process)",
    "coder.empty_turn": "This turn is empty",
    "coder.up": "previous turn", "coder.down": "next turn", "coder.word": "word",
    "coder.sentence": "sentence", "coder.select": "select", "coder.code": "code",
    "coder.remove": "remove", "coder.memo": "memo", "coder.undo": "undo", "coder.redo": "redo",
    "coder.next_uncoded": "next uncoded", "coder.attrs": "attributes", "coder.docs": "documents",
    "picker.title": "Apply a code", "picker.placeholder": "Name, path or definition…",
    "picker.create": "+ Create code “{name}”", "picker.created": "Code created: {path}",
    "picker.choose_parent": "New parent (empty = top level)", "picker.choose_target": "Merge into…",
    "picker.root": "(top level)",
    "cb.code": "Code", "cb.codings": "Codings", "cb.docs": "Docs", "cb.definition": "Definition",
    "cb.short": "Summary", "cb.when_to_use": "When to use", "cb.when_not": "When not to use",
    "cb.example": "Example", "cb.questions": "Evaluation questions", "cb.none": "—",
    "cb.new": "new", "cb.new_child": "sub-code", "cb.rename": "rename", "cb.move": "move",
    "cb.merge": "merge", "cb.delete": "delete", "cb.edit": "definition", "cb.excerpts": "excerpts",
    "cb.new_prompt": "Name of the new code (Parent/Child accepted)",
    "cb.child_prompt": "Name of the sub-code of {parent}", "cb.rename_prompt": "New name for {code}",
    "cb.definition_prompt": "Definition of {code}", "cb.created": "Code created: {path}",
    "cb.renamed": "Renamed: {old} → {new}", "cb.moved": "Moved: {code} → {parent}",
    "cb.merged": "Merged: {source} → {target} ({n} codings moved)",
    "cb.merge_confirm": "Merge “{source}” into “{target}”? Its codings, sub-codes and memos move.",
    "cb.deleted": "Deleted: {code}", "cb.updated": "Definition saved: {code}",
    "cb.empty": "No codes yet. Press n to create one.", "cb.total": "{n} code(s)",
    "ret.pick": "Choose a code (c) or an evaluation question (e)",
    "ret.title": "{n} excerpt(s) of “{code}”", "ret.question": "Question {q}",
    "ret.filter": "Filter (document, speaker, text, attribute)…", "ret.document": "Document",
    "ret.speaker": "Speaker", "ret.actor": "Actor", "ret.attributes": "Attributes",
    "ret.text": "Excerpt", "ret.code": "Code", "ret.no_questions": "No evaluation question is linked to a code",
    "ret.choose_question": "Evaluation question", "ret.shown": "{shown}/{n} shown",
    "memos.title": "Memos", "memos.target": "On", "memos.text": "Text", "memos.coder": "Coder",
    "memos.date": "Updated", "memos.new": "New project memo", "memos.edit": "Edit memo",
    "memos.saved": "Memo saved", "memos.deleted": "Memo deleted",
    "memos.delete_confirm": "Delete this memo?", "memos.count": "{n} memo(s)",
    "parts.count": "{n} participant(s)", "parts.id": "ID", "parts.documents": "Documents",
    "parts.no_docs": "No document for this participant",
    "parts.import_prompt": "Participant table (CSV, TSV, Unicode text or XLSX)",
    "parts.id_column": "ID column (optional: detected)",
    "parts.types_title": "The file does not fit the project's types",
    "parts.override_prompt": "Change the type for the whole project (tick, then import):",
    "parts.override_one": "{name}: {old} → {new}",
    "parts.override_ok": "Change these types and import",
    "parts.imported": "{added} participant(s) added, {updated} updated",
    "parts.retyped": "{name}: {old} → {new} (for the whole project)",
    "import.new_programme": "or a new programme",
    "dlg.ok": "OK", "dlg.cancel": "Cancel", "dlg.confirm": "Confirm", "dlg.save": "Save",
    "dlg.error": "Error", "dlg.confirm_title": "Confirm", "dlg.close": "Close",
    "dlg.unexpected": "Unexpected error", "dlg.save_hint": "ctrl+s save · esc cancel",
    "progress.cancel": "Cancel", "progress.cancelled": "Cancelled", "progress.done": "Done: {label}",
    "import.prompt": "Files or folder to import (paths separated by spaces)",
    "import.manifest": "CSV/YAML manifest (optional: programme, actor, participants per file)",
    "import.done": "{n} document(s) imported, {f} failed", "import.label": "Import",
    "import.columns": "Table columns (optional): speaker=Who, text=Said, start=Start, tags=Codes",
    "import.tags": "Import the tags column as codings",
    "lang.switched": "Interface in English", "refreshed": "Refreshed",
    "help.title": "Help — keys",
    "queries.none": "The query module is not available yet.", "queries.expr": "Query expression…",
    "queries.saved": "Saved queries",
    "topics.none": "The topic module is not available yet.", "topics.runs": "Runs",
    "topics.fit": "New run", "topics.promote": "Promote to code",
    "topics.promoted": "Topic promoted to code: {code}",
    "actor.beneficiary": "beneficiary", "actor.trainer": "trainer", "actor.operator": "operator",
    "actor.other": "other",
}

from workbench.tui import i18n_topics as _topics  # noqa: E402  topics, autocode, review

FR.update(_topics.FR)
EN.update(_topics.EN)

CATALOGS = {"fr": FR, "en": EN}

# Help screen: (section key, [(keys, fr, en)])
HELP = [
    ("Partout / Everywhere", [
        ("?  F1", "cette aide", "this help"),
        ("ctrl+p", "palette de commandes", "command palette"),
        ("F2 … F9", "accueil, documents, codes, extraits, mémos, participants, requêtes, thèmes",
         "home, documents, codes, excerpts, memos, participants, queries, topics"),
        ("ctrl+l", "basculer français / anglais", "switch French / English"),
        ("F5 / ctrl+r (listes)", "actualiser", "refresh"),
        ("q  échap / esc", "retour (quitter depuis l'accueil)", "back (quit from home)"),
    ]),
    ("Codage / Coder", [
        ("↑ ↓  k j", "tour précédent / suivant", "previous / next turn"),
        ("← →  b w", "mot précédent / suivant", "previous / next word"),
        ("S s", "phrase précédente / suivante", "previous / next sentence"),
        ("v", "sélectionner le tour ; puis w/b affinent au mot", "select the turn; then w/b refine to words"),
        ("shift+flèches", "étendre la sélection", "extend the selection"),
        ("souris", "glisser pour sélectionner", "drag to select"),
        ("échap", "annuler la sélection", "clear the selection"),
        ("c  entrée", "appliquer un code (recherche floue)", "apply a code (fuzzy picker)"),
        ("1 … 9", "appliquer un code récent", "apply a recent code"),
        ("x", "retirer le codage sous le curseur", "remove the coding under the cursor"),
        ("m", "mémo sur le codage sous le curseur", "memo on the coding under the cursor"),
        ("u  ctrl+z", "annuler", "undo"),
        ("ctrl+r  ctrl+y", "rétablir", "redo"),
        ("n", "tour non codé suivant", "next uncoded turn"),
        ("] [", "codage suivant / précédent", "next / previous coding"),
        ("a", "attributs des participants", "participant attributes"),
        ("/", "rechercher dans l'entretien (entrée : suivant)", "search the interview (enter: next)"),
        ("g", "liste des documents", "document list"),
    ]),
    ("Grille de codes / Codebook", [
        ("n  N", "nouveau code / sous-code", "new code / sub-code"),
        ("r", "renommer", "rename"), ("M", "déplacer", "move"), ("f", "fusionner", "merge"),
        ("e", "modifier la définition", "edit the definition"), ("delete", "supprimer", "delete"),
        ("entrée", "extraits du code", "excerpts of the code"),
    ]),
    ("Extraits, documents, mémos / Excerpts, documents, memos", [
        ("c  e", "choisir un code / une question évaluative", "choose a code / evaluation question"),
        ("/", "filtrer ou rechercher", "filter or search"),
        ("entrée", "ouvrir dans le contexte", "open in context"),
        ("n  delete", "nouveau / supprimer un mémo", "new / delete a memo"),
    ]),
]

# queries, analysis, evaluation questions, export: their own catalog module
from workbench.tui import i18n_analysis as _analysis  # noqa: E402

FR.update(_analysis.FR)
EN.update(_analysis.EN)
HELP.extend(_analysis.HELP)
HELP.extend(_topics.HELP)


def detect_language(environ=None) -> str:
    env = os.environ if environ is None else environ
    forced = (env.get("WORKBENCH_LANG") or "").strip().lower()[:2]
    if forced in LANGUAGES:
        return forced
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


_current = detect_language()


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _current = lang


def language() -> str:
    return _current


def toggle_language() -> str:
    set_language("en" if _current == "fr" else "fr")
    return _current


def t(key: str, **kwargs) -> str:
    """The message ``key`` in the current language (falls back to English, then the key)."""
    text = CATALOGS[_current].get(key) or EN.get(key) or key
    return text.format(**kwargs) if kwargs else text


def actor(value: str | None) -> str:
    if not value:
        return ""
    return t(f"actor.{value}") if f"actor.{value}" in EN else value
