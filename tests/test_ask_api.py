"""GET /api/ask over HTTP: the JSON contract of the SPEC, input limits, hostile input, CORS."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

ARTICLE = "Dry Needling vs Acupuncture"
ORIGIN = "https://client.example"


def ask(client: TestClient, question: str, **headers: str) -> Any:
    return client.get("/api/ask", params={"q": question}, headers=headers)


def assert_error(response: Any) -> None:
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert "q" in error["message"]


def test_answer_contract(client: TestClient) -> None:
    response = ask(client, "what treats sciatica, and at what cost")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["question"] == "what treats sciatica, and at what cost"
    assert body["answered"] is True
    assert isinstance(body["text"], str) and body["text"]
    assert "not medical advice" in body["note"].lower()
    costs = {a["label"].lower(): a["cost"] for a in body["answers"]}
    assert set(costs) == {"dry needling", "acupuncture"}
    assert (costs["dry needling"]["min"], costs["dry needling"]["max"]) == (50, 150)
    assert (costs["acupuncture"]["min"], costs["acupuncture"]["max"]) == (70, 150)
    for answer in body["answers"]:
        assert answer["iri"].startswith("https://needling-kg.example.org/kg/")
        assert answer["cost"]["currency"] == "USD"
        assert answer["cost"]["per"] == "session"
        assert {"title": ARTICLE, "section": "the paragraphs on sciatica"} in answer["sources"]
        assert "USD is our reading" in answer["cost"]["currency_note"]
    hedges = {a["label"]: (a.get("hedge"), a["cost"].get("hedge")) for a in body["answers"]}
    # each hedge on its statement: the treatment's on the answer, the price's on the cost
    assert hedges == {"Dry needling": ("can be", None), "Acupuncture": ("can also offer", "averages around")}
    interpretation = body["interpretation"]
    assert interpretation["intent"] == "treatments_for_condition"
    assert [e["text"] for e in interpretation["entities"]] == ["sciatica"]
    assert interpretation["entities"][0]["iri"].endswith("/sciatica")
    assert interpretation["entities"][0]["score"] == 1.0
    query = body["query"]
    assert query["name"] == "treatments_for_condition"
    assert str(query["params"]["condition"]).endswith("/sciatica")
    assert "SELECT" in query["sparql"].upper()


def test_unanswerable_question_is_a_200_with_answered_false(client: TestClient) -> None:
    response = ask(client, "what treats asthma")
    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is False
    assert body["answers"] == []
    assert "sciatica" in body["text"].lower()


def test_typo_and_case_over_http(client: TestClient) -> None:
    body = ask(client, "HOW MUCH IS DRY NEDDLING???").json()
    assert body["answered"] is True
    assert [a["label"] for a in body["answers"]] == ["Dry needling"]
    assert (body["answers"][0]["cost"]["min"], body["answers"][0]["cost"]["max"]) == (50, 150)


@pytest.mark.parametrize("question", ["", "   ", "\t\n"], ids=["empty", "spaces", "whitespace"])
def test_empty_question_is_422_json(client: TestClient, question: str) -> None:
    assert_error(ask(client, question))


def test_missing_question_is_422_json(client: TestClient) -> None:
    assert_error(client.get("/api/ask"))


def test_question_over_500_characters_is_422_json(client: TestClient) -> None:
    assert_error(ask(client, "what treats sciatica " + "x" * 480))  # 501 characters
    assert len("what treats sciatica " + "x" * 480) == 501


def test_question_of_500_characters_is_accepted(client: TestClient) -> None:
    question = "what treats sciatica " + "x" * 479
    assert len(question) == 500
    assert ask(client, question).status_code == 200


def test_422_is_json_even_for_a_browser(client: TestClient) -> None:
    response = client.get("/api/ask", params={"q": ""}, headers={"Accept": "text/html"})
    assert_error(response)


@pytest.mark.parametrize(
    "question",
    [
        "<script>alert('x')</script>",
        "<script>document.location='http://evil.example'</script> what treats sciatica",
        '"><img src=x onerror=alert(1)>',
    ],
)
def test_markup_comes_back_as_data(client: TestClient, question: str) -> None:
    response = ask(client, question)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["question"] == question  # echoed as a JSON string, not rendered
    assert isinstance(body["text"], str)
    assert "<script" not in body["text"].lower()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert ask(client, "what treats sciatica").json()["answered"] is True


def test_cors_header_on_answers_and_errors(client: TestClient) -> None:
    answered = ask(client, "what treats sciatica", Origin=ORIGIN)
    assert answered.headers.get("access-control-allow-origin") in ("*", ORIGIN)
    rejected = client.get("/api/ask", headers={"Origin": ORIGIN})
    assert rejected.status_code == 422
    assert rejected.headers.get("access-control-allow-origin") in ("*", ORIGIN)


def test_cors_preflight(client: TestClient) -> None:
    response = client.options("/api/ask", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    assert response.headers.get("access-control-allow-origin") in ("*", ORIGIN)
    assert "GET" in response.headers.get("access-control-allow-methods", "")
