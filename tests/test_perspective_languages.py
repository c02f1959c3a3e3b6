"""The Perspective route in the languages Coral sends (issue 14): en, es, fr, de, pt answered; others refused
as Perspective refuses them, with the language named."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from threadwise.api import ApiSettings, create_app
from threadwise.train.multilingual_toxicity import head_exists

pytestmark = pytest.mark.skipif(not head_exists(), reason="multilingual heads not trained yet")

ANALYZE = "/v1alpha1/comments:analyze"
CORAL_LANGUAGES = {
    "en": "You are a disgusting idiot, shut up.",
    "es": "Eres un idiota asqueroso, cállate ya.",
    "fr": "Tu es un abruti dégoûtant, ferme-la.",
    "de": "Du bist ein widerlicher Idiot, halt die Klappe.",
    "pt": "Você é um idiota nojento, cala a boca.",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    with TestClient(create_app(ApiSettings(db=db, open_perspective=True, rate_per_minute=0))) as test_client:
        yield test_client


def analyze(client: TestClient, text: str, **extra: object) -> dict[str, object]:
    body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}, "spanAnnotations": True,
            **extra}
    response = client.post(ANALYZE, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


@pytest.mark.parametrize("language", sorted(CORAL_LANGUAGES))
def test_each_language_coral_sends_is_scored_when_named(client: TestClient, language: str) -> None:
    answer = analyze(client, CORAL_LANGUAGES[language], languages=[language])
    assert answer["languages"] == [language] and "detectedLanguages" not in answer
    scores = answer["attributeScores"]
    assert isinstance(scores, dict) and set(scores) == {"TOXICITY", "INSULT"}
    assert scores["TOXICITY"]["summaryScore"]["value"] > 0.5
    for span in scores["TOXICITY"]["spanScores"]:
        assert 0 <= span["begin"] < span["end"] <= len(CORAL_LANGUAGES[language])


@pytest.mark.parametrize("language", sorted(CORAL_LANGUAGES))
def test_without_languages_the_route_answers_the_detected_one(client: TestClient, language: str) -> None:
    answer = analyze(client, CORAL_LANGUAGES[language])
    assert answer["detectedLanguages"] == [language] and answer["languages"] == [language]


def test_a_bcp47_tag_is_read_by_its_primary_language(client: TestClient) -> None:
    assert analyze(client, CORAL_LANGUAGES["pt"], languages=["pt-BR"])["languages"] == ["pt-BR"]


def test_a_civil_german_comment_scores_low(client: TestClient) -> None:
    answer = analyze(client, "Danke für den ausgewogenen Artikel, ich sehe das ähnlich.", languages=["de"])
    scores = answer["attributeScores"]
    assert isinstance(scores, dict) and scores["TOXICITY"]["summaryScore"]["value"] < 0.5


def test_an_arabic_comment_is_refused_with_its_language_named(client: TestClient) -> None:
    text = "هذا المقال سيء جدا والكاتب لا يفهم شيئا عن السياسة"
    response = client.post(ANALYZE, json={"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == 400
    (detail,) = response.json()["error"]["details"]
    assert detail["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert detail["languageNotSupportedByAttributeError"] == {"attribute": "TOXICITY", "detectedLanguages": ["ar"]}
