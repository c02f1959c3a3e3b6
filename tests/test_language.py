"""Language identification of comments (issue 14): py3langid restricted to news-comment languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwise.language import UNDETERMINED, detect_language, language_name, primary_subtag

SENTENCES = {
    "en": "I read the whole article and I still think the minister is wrong about the budget.",
    "de": "Ich habe den ganzen Artikel gelesen und finde, dass die Ministerin beim Haushalt falsch liegt.",
    "es": "He leído todo el artículo y sigo pensando que el ministro se equivoca con el presupuesto.",
    "fr": "J'ai lu tout l'article et je pense toujours que le ministre a tort sur le budget.",
    "pt": "Li o artigo inteiro e continuo achando que o ministro está errado sobre o orçamento.",
    "it": "Ho letto tutto l'articolo e penso ancora che il ministro sbagli sul bilancio.",
    "nl": "Ik heb het hele artikel gelezen en vind nog steeds dat de minister ongelijk heeft over de begroting.",
    "pl": "Przeczytałem cały artykuł i nadal uważam, że minister myli się w sprawie budżetu.",
    "ru": "Я прочитал всю статью и всё равно считаю, что министр ошибается насчёт бюджета.",
    "uk": "Я прочитав усю статтю і все одно вважаю, що міністр помиляється щодо бюджету.",
}


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_detect_language_names_each_language_of_a_news_comment(code: str) -> None:
    found = detect_language(SENTENCES[code])
    assert found.code == code and found.confidence > 0.8


def test_detect_language_is_undetermined_without_enough_letters() -> None:
    for text in ("😀🔥", "ok", "https://example.org/a-long-link @someone #tag", "12 345"):
        assert detect_language(text).code == UNDETERMINED


def test_detect_language_ignores_links_and_handles() -> None:
    text = "@redaktion https://example.org/artikel Ich finde diesen Artikel wirklich sehr gut geschrieben."
    assert detect_language(text).code == "de"


def test_primary_subtag_and_names_for_moderators() -> None:
    assert primary_subtag("pt-BR") == "pt" and primary_subtag("en_GB") == "en" and primary_subtag("DE") == "de"
    assert language_name("uk") == "Ukrainian" and language_name("xx") == "xx"


def test_the_identifier_holds_only_the_candidate_languages_and_answers_as_set_languages_does() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from threadwise.language import CANDIDATES, _candidates_only

    restricted = _candidates_only()
    assert set(restricted.nb_classes) <= set(CANDIDATES)
    assert restricted.nb_ptc.shape[1] == len(restricted.nb_classes) == len(restricted._full_model[0][0])
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(CANDIDATES))
    for text in ("Das ist Propaganda, kein Journalismus.", "Tu es un imbécile.", "Это пропаганда.", "Great piece."):
        assert restricted.classify(text) == reference.classify(text)


def test_the_mapped_tables_are_written_once_and_answer_as_the_identifier_held_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from threadwise.language import _candidates_only, _mapped_identifier

    monkeypatch.setenv("THREADWISE_CACHE", str(tmp_path))
    mapped = _mapped_identifier()
    (folder,) = tmp_path.glob("langid-*")
    assert sorted(p.name for p in folder.iterdir()) == ["classes.json", "nextmove.npy", "out.npy", "pc.npy",
                                                       "ptc.npy", "row.npy"]
    written = (folder / "nextmove.npy").stat().st_mtime_ns
    again = _mapped_identifier()  # reads the folder, does not write it again
    assert (folder / "nextmove.npy").stat().st_mtime_ns == written
    held = _candidates_only()
    assert mapped.nb_classes == held.nb_classes == again.nb_classes
    for code, sentence in SENTENCES.items():
        for text in (sentence, sentence[:12], sentence.upper()):
            assert mapped.classify(text) == held.classify(text), (code, text)


def test_an_unwritable_cache_folder_keeps_the_identifier_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from threadwise.language import _mapped_identifier

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("THREADWISE_CACHE", str(blocked / "cache"))
    identifier = _mapped_identifier()
    assert identifier.classify(SENTENCES["de"])[0] == "de"
