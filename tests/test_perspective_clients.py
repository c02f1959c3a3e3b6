"""The real Perspective clients against a real threadwise server (uvicorn on a loopback port).

- google-api-python-client, which builds its client from the served discovery document, as
  Perspective's own Python sample does;
- the PyPI ``perspective`` client (1.0.3), its base URL pointed at the server;
- the npm ``perspective-api-client`` (3.1.0), run by node (installed by ``make node-clients``);
- Coral's exact requests, rebuilt from its source (``server/src/core/server/services/perspective/
  perspective.ts`` and ``services/fetch/axios.ts``): URL joined with ``path.join``, ``?key=``, its
  headers, its bodies, no redirects followed, an 800 ms budget;
- a Discourse-style request (``discourse-perspective-api``: ``{TOXICITY: {scoreType: "PROBABILITY"}}``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import pytest

from test_web_fixtures import serving
from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import create_key
from threadwise.store import Store

NODE_CLIENT = Path(__file__).resolve().parent / "clients" / "node"
CORAL_VERSION = "9.5.0"  # any release: Coral sends "Coral Perspective/<its version>"
CORAL_TIMEOUT_S = 0.8  # Coral's PERSPECTIVE_TIMEOUT: past it, Coral publishes the comment unscored


class Server:
    def __init__(self, base: str, key: str, store: Store) -> None:
        self.base = base
        self.key = key
        self.store = store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = f"sqlite:///{tmp_path_factory.mktemp('clients') / 'clients.db'}"
    app = create_app(ApiSettings(db=db, rate_per_minute=0))
    with serving(app) as base:
        store: Store = app.state.store
        yield Server(base, create_key(store, "read-only", "perspective-clients")[0], store)


# --- google-api-python-client, through the discovery document -------------------------------------------


def google_client(server: Server) -> Any:
    from googleapiclient import discovery

    return discovery.build("commentanalyzer", "v1alpha1", developerKey=server.key, cache_discovery=False,
                           discoveryServiceUrl=f"{server.base}/$discovery/rest?version=v1alpha1")  # fmt: skip


def test_google_api_python_client_analyzes_and_suggests_through_the_served_discovery(server: Server) -> None:
    service = google_client(server)
    analyzed = service.comments().analyze(body={
        "comment": {"text": "You are an idiot"}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": True,
    }).execute()
    assert analyzed["attributeScores"]["TOXICITY"]["summaryScore"]["value"] >= 0.7
    suggested = service.comments().suggestscore(body={
        "comment": {"text": "You are an idiot"}, "communityId": "python-sample", "clientToken": "g-1",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
    }).execute()
    assert suggested["clientToken"] == "g-1"
    assert [s.decision for s in server.store.score_suggestions("python-sample")] == ["reject"]


def test_google_api_python_client_reads_a_refusal_as_perspectives(server: Server) -> None:
    from googleapiclient.errors import HttpError

    with pytest.raises(HttpError) as refused:
        google_client(server).comments().analyze(body={
            "comment": {"text": "hello"}, "requestedAttributes": {"FLIRTATION": {}}}).execute()
    assert refused.value.resp.status == 400
    assert refused.value.reason == "Unknown requested attribute: FLIRTATION"
    assert refused.value.error_details[0]["errorType"] == "INVALID_REQUEST"


# --- the PyPI perspective client -------------------------------------------------------------------------


def test_pypi_perspective_client_scores_analyzes_and_suggests(server: Server) -> None:
    from perspective import PerspectiveAPI

    client = PerspectiveAPI(server.key)
    client.api_client.url = server.base + "/v1alpha1/{endpoint}"  # its one hard-coded Perspective URL
    scores = client.score("You are an idiot", tests=["TOXICITY", "INSULT"])
    assert set(scores) == {"TOXICITY", "INSULT"} and scores["TOXICITY"] >= 0.7
    text = "😀 you idiot"
    analyzed = client.analyze_comment(
        text, comment_type="PLAIN_TEXT", context=[{"text": "the article"}], span_annotations=True,
        languages=["en"], do_not_store=True, client_token="p-1", session_id="s", community_id="pypi",
        requested_attributes={"TOXICITY": {"scoreType": "PROBABILITY", "scoreThreshold": 0.1}},
    )
    assert analyzed["clientToken"] == "p-1"
    spans = analyzed["attributeScores"]["TOXICITY"]["spanScores"]
    assert max(s["end"] for s in spans) <= len(text.encode("utf-16-le")) // 2
    client.suggest_score(text, {"TOXICITY": {"summaryScore": {"value": 0.0}}}, community_id="pypi")
    assert [s.decision for s in server.store.score_suggestions("pypi")] == ["approve"]


# --- the npm perspective-api-client --------------------------------------------------------------------


@pytest.fixture(scope="module")
def node_client() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not installed: the npm perspective-api-client cannot run here")
    if not (NODE_CLIENT / "node_modules" / "perspective-api-client").is_dir():  # a clean clone run without make
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_CLIENT, check=True,
                       timeout=300)  # fmt: skip
    return NODE_CLIENT / "analyze.js"


def test_npm_perspective_api_client_analyzes(server: Server, node_client: Path) -> None:
    ran = subprocess.run(["node", str(node_client), server.base, server.key, "<b>You are an idiot</b>"],
                         capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    answer = json.loads(ran.stdout)
    assert answer["ok"], answer
    assert set(answer["result"]["attributeScores"]) == {"TOXICITY", "INSULT"}
    assert answer["result"]["attributeScores"]["TOXICITY"]["summaryScore"]["value"] >= 0.7


def test_npm_perspective_api_client_reports_a_refusal_by_its_message(server: Server, node_client: Path) -> None:
    ran = subprocess.run(["node", str(node_client), server.base, "tw_not_a_key", "hello"],
                         capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    answer = json.loads(ran.stdout)
    assert not answer["ok"] and answer["name"] == "ResponseError" and answer["status"] == 401


# --- Coral, replayed from its source ---------------------------------------------------------------------


def coral_url(endpoint: str, operation: str, key: str) -> str:
    """``new URL(endpoint.trim())``, ``pathname = path.join(pathname, "/" + operation)``, ``?key=``."""
    parts = urlsplit(endpoint.strip())
    joined = "/" + "/".join(p for p in f"{parts.path}/{operation}".split("/") if p)  # node's path.join
    return urlunsplit((parts.scheme, parts.netloc, joined, f"key={quote(key.strip())}", ""))


def coral_post(url: str, body: dict[str, Any], timeout: float = CORAL_TIMEOUT_S) -> httpx.Response:
    """As Coral's createAxios({name: "perspective"}) sends it: its User-Agent, JSON, no redirects, 800 ms."""
    headers = {"User-Agent": f"Coral Perspective/{CORAL_VERSION}", "Content-Type": "application/json",
               "Accept": "application/json, text/plain, */*"}  # fmt: skip
    with httpx.Client(follow_redirects=False, timeout=timeout) as client:
        return client.post(url, content=json.dumps(body, separators=(",", ":")), headers=headers)


def coral_analyze_body(text: str, model: str = "TOXICITY", language: str = "en") -> dict[str, Any]:
    return {"comment": {"text": text}, "doNotStore": True, "requestedAttributes": {model: {}}, "languages": [language]}


@pytest.mark.parametrize("suffix", ["", "/", "/v1alpha1", "/v1alpha1/"])
def test_coral_analyze_works_with_the_endpoint_as_an_admin_types_it(server: Server, suffix: str) -> None:
    response = coral_post(coral_url(server.base + suffix, "comments:analyze", server.key),
                          coral_analyze_body("You are an idiot"))  # fmt: skip
    assert response.status_code == 200  # not a redirect: Coral follows none
    assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.8  # Coral's default threshold


def test_coral_unserved_language_and_unknown_model_are_refused_so_coral_fails_open(server: Server) -> None:
    url = coral_url(server.base, "comments:analyze", server.key)  # the budget is checked on scoring, above
    assert coral_post(url, coral_analyze_body("Ти просто ідіот", language="uk"), timeout=30).status_code == 400
    assert coral_post(url, coral_analyze_body("hello", model="LIKELY_TO_REJECT"), timeout=30).status_code == 400


@pytest.mark.parametrize("language", ["de", "es", "fr", "pt"])
def test_coral_scores_the_other_languages_it_sends(server: Server, language: str) -> None:
    texts = {"de": "Du bist ein widerlicher Idiot, halt die Klappe.", "es": "Eres un idiota asqueroso, cállate ya.",
             "fr": "Tu es un abruti dégoûtant, ferme-la.", "pt": "Você é um idiota nojento, cala a boca."}
    url = coral_url(server.base, "comments:analyze", server.key)
    response = coral_post(url, coral_analyze_body(texts[language], language=language), timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["languages"] == [language]
    assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.5


def test_coral_feedback_is_stored_with_its_comment_id(server: Server) -> None:
    story, comment_id = "https://news.example/2026/story", "5f0c1d2e-coral"
    for status, text in (("APPROVED", "Fair point about the budget."), ("DELETED", "Shut up, you idiot.")):
        body = {
            "comment": {"text": text},
            "context": {"entries": [{"text": json.dumps({
                "url": f"{story}?commentID={comment_id}{status}", "reply_to_id_Coral_comment_id": None,
                "Coral_comment_id": f"{comment_id}{status}"})}]},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0 if status == "APPROVED" else 1}}},
            "languages": ["en"], "communityId": "Coral:https://news.example", "clientToken": f"comment:{comment_id}",
        }  # fmt: skip
        response = coral_post(coral_url(server.base, "comments:suggestscore", server.key), body, timeout=30)
        assert response.status_code == 200 and response.json()["clientToken"] == f"comment:{comment_id}"
    stored = server.store.score_suggestions("Coral:https://news.example")
    assert [(s.decision, s.source_comment_id) for s in stored] == [
        ("approve", f"{comment_id}APPROVED"), ("reject", f"{comment_id}DELETED")]


# --- Discourse -------------------------------------------------------------------------------------------


def test_discourse_style_request_scores_toxicity_and_severe_toxicity(server: Server) -> None:
    body = json.dumps({"comment": {"text": "You are a pathetic idiot"},
                       "requestedAttributes": {"TOXICITY": {"scoreType": "PROBABILITY"},
                                               "SEVERE_TOXICITY": {"scoreType": "PROBABILITY"}},
                       "doNotStore": False, "sessionId": "https://forum.example_42"})  # fmt: skip
    headers = {"Accept": "*/*", "Content-Length": str(len(body.encode())), "Content-Type": "application/json",
               "User-Agent": "Discourse/3.4.0"}  # fmt: skip
    response = httpx.post(f"{server.base}/v1alpha1/comments:analyze?key={server.key}", content=body, headers=headers)
    assert response.status_code == 200
    scores = {name: a["summaryScore"]["value"] for name, a in response.json()["attributeScores"].items()}
    assert set(scores) == {"TOXICITY", "SEVERE_TOXICITY"} and scores["TOXICITY"] >= 0.7
