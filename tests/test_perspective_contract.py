"""Perspective's contract as its discovery document states it: both route families, UTF-16 spans, every
field accepted or refused as Perspective does, suggestscore stored per community and read by admins.

The real app and the real toxicity analyser (fast tier); nothing is mocked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from test_api import assert_envelope, assert_perspective_error, perspective_request
from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import create_key

PREFIXES = ("/v1alpha1", "")  # Coral posts to the root when its endpoint has no /v1alpha1
DISCOVERY = Path(__file__).resolve().parents[1] / "src/threadwise/api/discovery/commentanalyzer-v1alpha1.json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'contract.db'}"
    with TestClient(create_app(ApiSettings(db=db, rate_per_minute=0))) as test_client:
        store = test_client.app.state.store  # type: ignore[attr-defined]
        test_client.headers["X-API-Key"] = create_key(store, "read-only", "coral")[0]
        test_client.admin_key = create_key(store, "admin", "editor")[0]  # type: ignore[attr-defined]
        yield test_client


def analyze(client: TestClient, body: dict[str, object], prefix: str = "/v1alpha1") -> httpx.Response:
    return client.post(f"{prefix}/comments:analyze", json=body)


def assert_bad_request(response: httpx.Response, field: str, fragment: str) -> None:
    """Google's proto JSON refusal: 400 INVALID_ARGUMENT with a google.rpc.BadRequest naming the field."""
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    (detail,) = error["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    (violation,) = detail["fieldViolations"]
    assert violation["field"] == field and fragment in violation["description"] and fragment in error["message"]


# --- both route families ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_analyze_answers_at_the_root_and_under_v1alpha1(client: TestClient, prefix: str) -> None:
    response = analyze(client, perspective_request("You are an idiot", "TOXICITY"), prefix)
    assert response.status_code == 200
    assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] >= 0.7


@pytest.mark.parametrize("prefix", PREFIXES)
def test_suggestscore_answers_at_the_root_and_under_v1alpha1(client: TestClient, prefix: str) -> None:
    body = {"comment": {"text": f"stored via {prefix or 'root'}"}, "communityId": f"c{prefix}",
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}, "clientToken": "t-1", "languages": ["en"]}
    response = client.post(f"{prefix}/comments:suggestscore", json=body)
    assert response.status_code == 200
    assert response.json() == {"clientToken": "t-1", "requestedLanguages": ["en"]}


# --- spans in UTF-16 code units ---------------------------------------------------------------------


def utf16_slice(text: str, begin: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * begin: 2 * end].decode("utf-16-le")


def test_spans_are_utf16_code_units_after_emoji(client: TestClient) -> None:
    text = "😀😀😀 great, you idiot"
    body = analyze(client, perspective_request(text, "TOXICITY", spanAnnotations=True)).json()
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert spans and all(0 <= s["begin"] < s["end"] <= len(text.encode("utf-16-le")) // 2 for s in spans)
    top = max(spans, key=lambda s: s["end"] - s["begin"])
    assert "idiot" in utf16_slice(text, top["begin"], top["end"])  # as JavaScript's String.slice reads it


def test_whole_text_span_ends_at_the_utf16_length(client: TestClient) -> None:
    text = "🙂 thanks for the piece"
    spans = analyze(client, perspective_request(text, "TOXICITY")).json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in spans] == [(0, len(text) + 1)]  # the emoji is two code units


def test_html_comment_is_scored_on_its_text_and_spans_point_into_the_html(client: TestClient) -> None:
    html = "<p>Nice <b>try</b> &amp; all, but you are an <em>idiot</em></p>"
    body = {"comment": {"text": html, "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": True}
    scores = analyze(client, body).json()["attributeScores"]["TOXICITY"]
    assert scores["summaryScore"]["value"] >= 0.5
    assert any("idiot" in html[s["begin"]:s["end"]] for s in scores["spanScores"])
    assert all(0 <= s["begin"] < s["end"] <= len(html) for s in scores["spanScores"])


def test_html_comment_of_markup_only_is_empty(client: TestClient) -> None:
    response = analyze(client, {"comment": {"text": "<p><br></p>", "type": "HTML"},
                                "requestedAttributes": {"TOXICITY": {}}})
    assert_perspective_error(response, "Comment must be non-empty.", "COMMENT_EMPTY")


# --- every field of the schema ------------------------------------------------------------------------


def test_every_analyze_field_of_the_discovery_schema_is_accepted(client: TestClient) -> None:
    schema = json.loads(DISCOVERY.read_text())["schemas"]["AnalyzeCommentRequest"]["properties"]
    body = {
        "comment": {"text": "You are an idiot", "type": "PLAIN_TEXT"},
        "context": {"entries": [{"text": "The article", "type": "PLAIN_TEXT"}]},
        "requestedAttributes": {"TOXICITY": {"scoreType": "PROBABILITY", "scoreThreshold": 0.1},
                                "INSULT": {"scoreType": "SCORE_TYPE_UNSPECIFIED"}},
        "languages": ["en-US"], "doNotStore": True, "clientToken": "tok", "sessionId": "s-9", "communityId": "forum",
        "spanAnnotations": True, "dropUnsupportedAttributes": False,
    }
    assert set(body) == set(schema)  # the test covers the whole schema
    response = analyze(client, body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["clientToken"] == "tok" and answer["languages"] == ["en-US"] and "detectedLanguages" not in answer
    assert set(answer["attributeScores"]) == {"TOXICITY", "INSULT"}


def test_article_and_parent_comment_context_is_accepted_but_not_both_context_fields(client: TestClient) -> None:
    parent = {"articleAndParentComment": {"article": {"text": "Story"}, "parentComment": {"text": "First!"}}}
    assert analyze(client, perspective_request("I disagree", "TOXICITY", context=parent)).status_code == 200
    both = {"entries": [{"text": "a"}], **parent}
    response = analyze(client, perspective_request("I disagree", "TOXICITY", context=both))
    assert_perspective_error(response, "Context may set only one of entries and articleAndParentComment.",
                             "INVALID_REQUEST")


@pytest.mark.parametrize("score_type", ["STD_DEV_SCORE", "PERCENTILE", "RAW"])
def test_score_types_of_the_enum_other_than_probability_are_refused(client: TestClient, score_type: str) -> None:
    body = {"comment": {"text": "hello"}, "requestedAttributes": {"TOXICITY": {"scoreType": score_type}}}
    assert_perspective_error(analyze(client, body),
                             f"Requested score type {score_type} is not supported by attribute TOXICITY",
                             "INVALID_REQUEST")


def test_values_outside_an_enum_are_refused_by_the_parser(client: TestClient) -> None:
    body = {"comment": {"text": "hello"}, "requestedAttributes": {"TOXICITY": {"scoreType": "LIKELY"}}}
    assert_bad_request(analyze(client, body), "requested_attributes[TOXICITY].score_type", '"LIKELY"')
    body = {"comment": {"text": "hello", "type": "MARKDOWN"}, "requestedAttributes": {"TOXICITY": {}}}
    assert_bad_request(analyze(client, body), "comment.type", '"MARKDOWN"')


def test_unknown_fields_and_wrong_types_are_refused_as_googles_parser_does(client: TestClient) -> None:
    unknown = perspective_request("hello", "TOXICITY", doNotstore=True)
    assert_bad_request(analyze(client, unknown), "", 'Unknown name "doNotstore": Cannot find field.')
    nested = {"comment": {"text": "hello", "lang": "en"}, "requestedAttributes": {"TOXICITY": {}}}
    assert_bad_request(analyze(client, nested), "comment", "Unknown name \"lang\" at 'comment'")
    wrong = {"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}}
    assert_bad_request(analyze(client, wrong), "comment.text", "Invalid value at 'comment.text' (TYPE_STRING), 5")
    flag = perspective_request("hello", "TOXICITY", spanAnnotations="yes")
    assert_bad_request(analyze(client, flag), "span_annotations", "(TYPE_BOOL)")


def test_malformed_json_is_refused_in_perspectives_shape(client: TestClient) -> None:
    response = client.post("/comments:analyze", content=b'{"comment": {"text": "hi"',
                           headers={"content-type": "application/json"})
    assert response.status_code == 400 and "Invalid JSON payload received." in response.json()["error"]["message"]


def test_null_means_unset(client: TestClient) -> None:
    body = perspective_request("You are an idiot", "TOXICITY", languages=None, clientToken=None, context=None)
    answer = analyze(client, body).json()
    assert answer["detectedLanguages"] == ["en"] and "clientToken" not in answer


# --- the discovery document ------------------------------------------------------------------------------


def test_discovery_document_points_at_this_server(client: TestClient) -> None:
    response = client.get("/$discovery/rest", params={"version": "v1alpha1", "key": "anything"})
    assert response.status_code == 200
    document = response.json()
    assert document["rootUrl"] == "http://testserver/" and document["servicePath"] == ""
    methods = document["resources"]["comments"]["methods"]
    assert {m["path"] for m in methods.values()} == {"v1alpha1/comments:analyze", "v1alpha1/comments:suggestscore"}
    assert "UTF-16" in document["schemas"]["SpanScore"]["properties"]["begin"]["description"]


def test_discovery_of_another_version_is_not_found(client: TestClient) -> None:
    response = client.get("/$discovery/rest", params={"version": "v1"})
    assert response.status_code == 404 and response.json()["error"]["status"] == "NOT_FOUND"


# --- suggestscore: refusals, storage, the admin's view ------------------------------------------------------


def suggest(client: TestClient, **body: object) -> httpx.Response:
    return client.post("/v1alpha1/comments:suggestscore", json={"comment": {"text": "a verdict"}, **body})


def test_suggestscore_refuses_what_the_schema_forbids(client: TestClient) -> None:
    assert_perspective_error(suggest(client), "attribute_scores must not be empty.", "INVALID_REQUEST")
    assert_perspective_error(suggest(client, attributeScores={"TOXICITY": {}}),
                             "AttributeScores for TOXICITY must not be empty.", "INVALID_REQUEST")
    assert_perspective_error(suggest(client, attributeScores={"TOXICITY": {"summaryScore": {}}}),
                             "Every score of TOXICITY must set its value.", "INVALID_REQUEST")
    spans = {"TOXICITY": {"spanScores": [{"begin": 0, "score": {"value": 1}}]}}
    assert_perspective_error(suggest(client, attributeScores=spans),
                             "Every span score of TOXICITY must set begin and end.", "INVALID_REQUEST")
    verdict = {"TOXICITY": {"summaryScore": {"value": 0}}}
    empty = client.post("/comments:suggestscore", json={"comment": {"text": ""}, "attributeScores": verdict})
    assert_perspective_error(empty, "Comment must be non-empty.", "COMMENT_EMPTY")


def test_suggestscore_is_stored_per_community_and_admins_read_and_export_it(client: TestClient) -> None:
    body = {"comment": {"text": "Get lost, moron"}, "communityId": "Coral:https://news.example",
            "clientToken": "comment:c-7", "sessionId": "s-1",
            "context": {"entries": [{"text": json.dumps({"url": "https://news.example/a?commentID=c-7",
                                                         "Coral_comment_id": "c-7"})}]},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}},
                                "SPAM": {"summaryScore": {"value": 0, "type": "PROBABILITY"}}}}
    assert client.post("/comments:suggestscore", json=body).status_code == 200
    admin = {"X-API-Key": client.admin_key}  # type: ignore[attr-defined]
    listed = client.get("/v1/feedback", params={"community": "Coral:https://news.example"}, headers=admin).json()
    rows = {r["attribute"]: r for r in listed["feedback"]}
    assert set(rows) == {"TOXICITY", "SPAM"}
    assert rows["TOXICITY"]["decision"] == "reject" and rows["SPAM"]["decision"] == "approve"
    assert rows["TOXICITY"]["text"] == "Get lost, moron" and rows["TOXICITY"]["source_comment_id"] == "c-7"
    assert rows["TOXICITY"]["sender"] == "coral" and rows["TOXICITY"]["session_id"] == "s-1"
    assert {"community": "Coral:https://news.example", "suggestions": 2} in listed["communities"]
    exported = client.get("/v1/feedback/export", params={"format": "jsonl", "community": "Coral:https://news.example"},
                          headers=admin)
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line)["attribute"] for line in exported.text.splitlines()] == ["TOXICITY", "SPAM"]
    as_csv = client.get("/v1/feedback/export", params={"format": "csv"}, headers=admin).text.splitlines()
    assert as_csv[0].startswith("id,community,attribute,value,decision,text")
    assert any("Get lost, moron" in line and ",reject," in line for line in as_csv[1:])


def test_feedback_is_for_admins_only(client: TestClient) -> None:
    assert_envelope(client.get("/v1/feedback"), 403, "TW-E092")  # the client's default key is read-only
