"""The HTTP API through an ASGI test client: every endpoint answers exactly what the
CLI's --json prints, every error is JSON with a status and a message, limits hold."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsearch import Index
from newsearch.server import Limits, create_app

from .conftest import ARCHIVE, SEEDS, run_cli

SEED_ID = "sha1-2b3cad97df90255a"


@pytest.fixture
def client(archive_index: Index):
    with TestClient(create_app(archive_index.path)) as test_client:
        yield test_client


def cli_json(runner, *args: str) -> Any:
    result = run_cli(runner, *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("params", "cli_args"),
    [
        ({"q": "Rafah"}, ["Rafah"]),
        (
            {"q": '"border crossing"', "limit": 2, "offset": 1},
            ['"border crossing"', "-n", "2", "--offset", "1"],
        ),
        (
            {"q": "talks", "sort": "newest", "context": 1},
            ["talks", "--sort", "newest", "--context", "1"],
        ),
        (
            {"q": "Gulf OR oil", "since": "2024-02", "until": "2024-03-31"},
            ["Gulf OR oil", "--since", "2024-02", "--until", "2024-03-31"],
        ),
        ({"q": "", "since": "2024-03"}, ["", "--since", "2024-03"]),
    ],
)
def test_search_answers_exactly_the_cli_json(client, archive_index, runner, params, cli_args):
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == cli_json(
        runner, "query", "--index", str(archive_index.path), "--json", *cli_args
    )


def test_search_hits_carry_offsets_into_the_text(client):
    data = client.get("/api/search", params={"q": "Rafah", "limit": 100}).json()
    assert data["total"] == 6 and len(data["hits"]) == 6
    for hit in data["hits"]:
        assert [hit["text"][a:b] for a, b in hit["highlights"]] == ["Rafah"] * len(
            hit["highlights"]
        )
        snippet = hit["snippet"]
        assert {snippet["text"][a:b] for a, b in snippet["highlights"]} == {"Rafah"}


def test_empty_date_fields_from_a_form_mean_no_filter(client, archive_index):
    both = client.get("/api/search", params={"q": "talks", "since": "", "until": " "}).json()
    assert both == client.get("/api/search", params={"q": "talks"}).json()
    assert both["total"] == archive_index.search("talks").total == 8


def test_article_by_id_and_by_anchor_is_the_cli_show_json(client, archive_index, runner):
    shown = cli_json(runner, "show", "--index", str(archive_index.path), "--json", "gulf-1")
    assert client.get("/api/articles/gulf-1").json() == shown
    assert client.get("/api/articles/gulf-1%23p3").json() == shown
    assert [p["paragraph"] for p in shown["paragraphs"]] == [1, 2, 3, 4, 5]
    around = cli_json(
        runner, "show", "--index", str(archive_index.path), "--json", "gulf-1#p3", "--context", "1"
    )
    assert client.get("/api/articles/gulf-1%23p3", params={"context": 1}).json() == around
    assert [p["paragraph"] for p in around["paragraphs"]] == [2, 3, 4]
    seed = client.get(f"/api/articles/{SEED_ID}").json()
    assert seed["title"].startswith("Blinken leaves Middle East") and len(seed["paragraphs"]) == 34


def test_an_article_id_with_slashes_is_one_path(tmp_path):
    with Index.open(tmp_path / "index", create=True) as index:
        index.add_stream(
            iter(['{"title": "Wire copy", "text": "Short.", "url": "https://x.org/a/b?c=1"}\n'])
        )
        aid = index.search("wire").hits[0].article_id
    with TestClient(create_app(tmp_path / "index")) as client:
        from urllib.parse import quote

        answer = client.get("/api/articles/" + quote(aid, safe=""))
        assert answer.status_code == 200 and answer.json()["article_id"] == aid


def test_unknown_article_and_missing_anchor_paragraph_are_404(client):
    for path, message in [
        ("/api/articles/nope", "no article with id 'nope'"),
        ("/api/articles/gulf-1%23p9", "no article with id 'gulf-1#p9'"),
        ("/api/articles/nope%23p1", "no article with id 'nope#p1'"),
    ]:
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.json() == {"status": 404, "error": "not_found", "message": message}


def test_stats_is_the_cli_stats_json(client, archive_index, runner):
    answer = client.get("/api/stats").json()
    assert answer == cli_json(runner, "stats", "--index", str(archive_index.path), "--json")
    assert (answer["articles"], answer["paragraphs"]) == (1 + len(ARCHIVE), 34 + 5 + 3 + 3)


@pytest.mark.parametrize(
    ("path", "params", "cli_args"),
    [
        ("/api/timeline", {"q": "talks"}, ["timeline", "talks"]),
        (
            "/api/timeline",
            [("q", "talks"), ("q", "Rafah"), ("interval", "month"), ("unit", "paragraphs")],
            ["timeline", "talks", "Rafah", "--interval", "month", "--unit", "paragraphs"],
        ),
        (
            "/api/timeline",
            {"q": "talks", "since": "2024-01", "until": "2024-03"},
            ["timeline", "talks", "--since", "2024-01", "--until", "2024-03"],
        ),
        ("/api/facets", {"q": "talks"}, ["facets", "talks"]),
        (
            "/api/facets",
            {"q": "talks OR Rafah", "by": "tag", "limit": 2},
            ["facets", "talks OR Rafah", "--by", "tag", "--limit", "2"],
        ),
        ("/api/terms", {"q": "Rafah"}, ["terms", "Rafah"]),
        (
            "/api/terms",
            {"q": "talks", "limit": 3, "sample": 5},
            ["terms", "talks", "--limit", "3", "--sample", "5"],
        ),
    ],
)
def test_coverage_answers_are_the_cli_json(client, archive_index, runner, path, params, cli_args):
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    command, *rest = cli_args
    expected = cli_json(runner, command, "--index", str(archive_index.path), "--json", *rest)
    assert answer.json() == expected


STORY = (
    "The central bank raised its main interest rate by half a point on Thursday, the third "
    "rise this year, saying inflation had stayed above its target for longer than expected "
    "and that wage growth and energy prices kept pushing consumer prices higher across the "
    "economy while lending to households slowed for a second quarter in a row."
)


def test_collapsed_search_and_copies_are_the_cli_json(tmp_path, runner, engine):
    records = [
        {
            "id": f"wire-{n}",
            "title": "Bank raises rates",
            "text": STORY,
            "source": source,
            "date": f"2024-03-07T{9 + n:02d}:00:00",
        }
        for n, source in enumerate(["Wire A", "Wire B", "Wire C"])
    ]
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    where = tmp_path / "index"
    with Index.open(where, create=True, engine=engine) as index:
        index.add_paths([tmp_path / "wire.jsonl"])
    with TestClient(create_app(where)) as client:
        collapsed = client.get("/api/search", params={"q": "inflation", "collapse": "true"})
        expected = cli_json(
            runner, "query", "--index", str(where), "--json", "--collapse", "inflation"
        )
        assert collapsed.json() == expected
        assert (expected["total_stories"], len(expected["hits"])) == (1, 1)
        assert [c["article_id"] for c in expected["hits"][0]["copies"]] == ["wire-1", "wire-2"]
        facets = client.get("/api/facets", params={"q": "inflation", "unit": "stories"})
        assert facets.json() == cli_json(
            runner, "facets", "--index", str(where), "--json", "--unit", "stories", "inflation"
        )
        assert (facets.json()["stories"], facets.json()["articles"]) == (1, 3)
        assert [(v["value"], v["stories"]) for v in facets.json()["values"]] == [
            ("Wire A", 1),
            ("Wire B", 1),
            ("Wire C", 1),
        ]
        copies = client.get("/api/copies/wire-0").json()
        assert copies == cli_json(runner, "copies", "--index", str(where), "--json", "wire-0")
        assert [c["source"] for c in copies["copies"]] == ["Wire B", "Wire C"]
        missing = client.get("/api/copies/nope")
        assert (missing.status_code, missing.json()["message"]) == (
            404,
            "no article with id 'nope'",
        )


def test_coverage_parameters_are_checked(client):
    for path, params, message in [
        ("/api/timeline", {}, "q: Field required"),
        (
            "/api/timeline",
            {"q": "x", "interval": "hour"},
            "interval: Input should be 'day', 'week', 'month' or 'year'",
        ),
        ("/api/timeline", [("q", "x")] * 11, "q: at most 10 queries in one timeline"),
        ("/api/timeline", {"q": "x" * 1001}, "q: String should have at most 1000 characters"),
        (
            "/api/facets",
            {"q": "x", "by": "colour"},
            "by: Input should be 'source', 'section', 'author', 'tag', 'language', 'role' "
            "or 'year'",
        ),
        (
            "/api/facets",
            {"q": "x", "unit": "paragraphs"},
            "unit: Input should be 'articles' or 'stories'",
        ),
        (
            "/api/terms",
            {"q": "x", "sample": 5001},
            "sample: Input should be less than or equal to 5000",
        ),
    ]:
        answer = client.get(path, params=params)
        assert answer.status_code == 400, path
        assert answer.json() == {"status": 400, "error": "bad_request", "message": message}
    bad = client.get("/api/facets", params={"q": "talks AND"}).json()
    assert (bad["error"], bad["query"], bad["position"]) == ("bad_query", "talks AND", 6)


def test_a_bad_query_is_400_with_message_and_position(client):
    answer = client.get("/api/search", params={"q": "Hamas AND (Egypt"})
    assert answer.status_code == 400
    assert answer.json() == {
        "status": 400,
        "error": "bad_query",
        "message": "'(' is never closed (at position 10)",
        "query": "Hamas AND (Egypt",
        "position": 10,
    }
    # A bad date option is a bad parameter value, not a bad query.
    bad_date = client.get("/api/search", params={"q": "talks", "since": "2024-13"}).json()
    assert bad_date["error"] == "bad_request"
    assert bad_date["message"].startswith("invalid value for since: not a date: '2024-13'")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 1001}, "q: String should have at most 1000 characters"),
        ({"q": "oil", "limit": 101}, "limit: Input should be less than or equal to 100"),
        ({"q": "oil", "limit": -1}, "limit: Input should be greater than or equal to 0"),
        (
            {"q": "oil", "limit": "ten"},
            "limit: Input should be a valid integer, unable to parse string as an integer",
        ),
        ({"q": "oil", "offset": 10_001}, "offset: Input should be less than or equal to 10000"),
        ({"q": "oil", "context": 6}, "context: Input should be less than or equal to 5"),
        ({"q": "oil", "sort": "random"}, "sort: Input should be 'relevance', 'newest' or 'oldest'"),
    ],
)
def test_parameters_outside_the_limits_are_400(client, params, message):
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 400
    assert answer.json() == {"status": 400, "error": "bad_request", "message": message}


def test_limits_are_configurable(archive_index):
    app = create_app(archive_index.path, limits=Limits(max_query_chars=5, max_limit=2))
    with TestClient(app) as client:
        assert client.get("/api/search", params={"q": "Rafah", "limit": 2}).status_code == 200
        assert client.get("/api/search", params={"q": "Rafah", "limit": 3}).status_code == 400
        assert client.get("/api/search", params={"q": "Rafahs"}).status_code == 400


def test_unknown_paths_and_other_methods_answer_json(client):
    missing = client.get("/api/nothing")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    for method in ("post", "put", "delete"):
        answer = client.request(method.upper(), "/api/search")
        assert (answer.status_code, answer.json()["error"]) == (405, "method_not_allowed")


def test_request_size_caps(archive_index):
    with TestClient(create_app(archive_index.path, limits=Limits(max_body_bytes=2048))) as client:
        big = client.request("GET", "/api/stats", content=b"x" * 4096)
        assert (big.status_code, big.json()["error"]) == (413, "too_large")
        chunked = client.request("GET", "/api/stats", content=iter([b"x"]))
        assert (chunked.status_code, chunked.json()["error"]) == (411, "length_required")
        long_url = client.get("/api/search", params={"q": "oil", "since": "2" * 3000})
        assert (long_url.status_code, long_url.json()["error"]) == (414, "too_long")


def test_only_allowed_host_names_are_answered(archive_index):
    app = create_app(archive_index.path, allowed_hosts={"127.0.0.1", "localhost"})
    with TestClient(app, base_url="http://localhost:8765") as client:
        assert client.get("/api/stats").status_code == 200
        assert client.get("/api/stats", headers={"host": "127.0.0.1:9"}).status_code == 200
        rebound = client.get("/api/stats", headers={"host": "evil.example:8765"})
        assert rebound.status_code == 400
        assert rebound.json()["message"] == "Host 'evil.example' is not served here"


def test_a_missing_index_is_503_until_it_is_built(tmp_path):
    where = tmp_path / "index"
    with TestClient(create_app(where)) as client:
        for path in ("/api/search?q=Rafah", "/api/articles/x", "/api/stats"):
            answer = client.get(path)
            assert answer.status_code == 503
            assert answer.json() == {
                "status": 503,
                "error": "index_unavailable",
                "message": f"no index at {where}; create one with "
                f"'newsearch index --index {where} FILES…'",
            }
        with Index.open(where, create=True) as index:
            index.add_paths([SEEDS])
        assert client.get("/api/search", params={"q": "Rafah"}).json()["total"] == 5


def test_a_damaged_index_is_503_without_a_traceback(tmp_path, engine):
    where = tmp_path / "index"
    with Index.open(where, create=True, engine=engine) as index:
        index.add_paths([SEEDS])
    with TestClient(create_app(where)) as client:
        assert client.get("/api/stats").json()["paragraphs"] == 34
        (where / "newsearch.json").write_text('{"format": 999}')
        answer = client.get("/api/search", params={"q": "Rafah"})
        assert answer.status_code == 503
        body = answer.json()
        assert body["error"] == "index_unavailable"
        assert body["message"].startswith(f"index {where} has format version 999")
        assert "Traceback" not in answer.text


def test_a_rebuilt_index_is_served_without_a_restart(tmp_path, engine):
    where = tmp_path / "index"
    with Index.open(where, create=True, engine=engine) as index:
        index.add_paths([SEEDS])
    with TestClient(create_app(where)) as client:
        assert client.get("/api/search", params={"q": "Rafah"}).json()["total"] == 5
        with Index.open(where, rebuild=True, engine=engine) as index:
            index.add_stream(iter(['{"id": "n1", "title": "Rafah anew", "text": "Fresh copy."}\n']))
        fresh = client.get("/api/search", params={"q": "Rafah"}).json()
        assert (fresh["total"], fresh["hits"][0]["article_id"]) == (1, "n1")


def _blocking_opener(release: threading.Event):
    def opener(path: Path) -> Index:
        index = Index.open(path)
        plain_search = index.search

        def search(*args: Any, **kwargs: Any) -> Any:
            release.wait(timeout=30)
            return plain_search(*args, **kwargs)

        index.search = search  # type: ignore[method-assign]
        return index

    return opener


def test_a_runaway_search_is_cut_off_and_keeps_its_slot(archive_index):
    release = threading.Event()
    limits = Limits(time_limit=0.2, max_searches=1)
    app = create_app(archive_index.path, limits=limits, opener=_blocking_opener(release))
    try:
        with TestClient(app) as client:
            runaway = client.get("/api/search", params={"q": "Rafah"})
            assert runaway.status_code == 503
            assert runaway.json() == {
                "status": 503,
                "error": "timeout",
                "message": "the request took longer than 0.2 s; narrow it",
            }
            # The runaway search still holds the only slot: the next request is turned away.
            turned_away = client.get("/api/stats")
            assert (turned_away.status_code, turned_away.json()["error"]) == (503, "busy")
            assert turned_away.headers["retry-after"] == "1"
    finally:
        release.set()


def test_openapi_document_describes_the_read_only_api(client):
    doc = client.get("/api/openapi.json").json()
    assert set(doc["paths"]) == {
        "/api/search",
        "/api/articles/{article_id}",
        "/api/stats",
        "/api/copies/{article_id}",
        "/api/timeline",
        "/api/facets",
        "/api/terms",
    }
    assert all(set(ops) == {"get"} for ops in doc["paths"].values())
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "since", "until", "limit", "offset", "sort", "context"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == 100


def test_answers_hold_every_key_their_published_schema_requires(client):
    doc = client.get("/api/openapi.json").json()

    def schema(path: str, status: str = "200") -> dict[str, Any]:
        return doc["paths"][path]["get"]["responses"][status]["content"]["application/json"][
            "schema"
        ]

    search = client.get("/api/search", params={"q": "Rafah", "context": 1}).json()
    results_schema = schema("/api/search")
    assert set(results_schema["required"]) <= set(search)
    hit_schema = results_schema["properties"]["hits"]["items"]
    assert set(hit_schema["required"]) <= set(search["hits"][0])
    collapsed = client.get("/api/search", params={"q": "Rafah", "collapse": True}).json()
    assert set(results_schema["properties"]) <= set(collapsed)
    assert set(hit_schema["properties"]) - {"context"} <= set(collapsed["hits"][0])
    article = client.get("/api/articles/gulf-1").json()
    assert set(schema("/api/articles/{article_id}")["required"]) <= set(article)
    assert set(schema("/api/stats")["required"]) <= set(client.get("/api/stats").json())
    for path in ("/api/timeline", "/api/facets", "/api/terms"):
        answer = client.get(path, params={"q": "talks"}).json()
        assert set(schema(path)["required"]) == set(answer), path
    error = client.get("/api/search", params={"q": "("}).json()
    assert set(schema("/api/search", "400")["properties"]) == set(error)


def test_the_page_is_self_contained_small_and_locked_down(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/article/{SEED_ID}").text == page.text
    total = len(page.content)
    for name in ("app.js", "app.css", "favicon.svg"):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert "http://" not in asset.text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in asset.text
        total += len(asset.content)
    assert "https://" not in page.text and "http://" not in page.text
    assert total < 30_000
    assert client.get("/static/../app.py").status_code == 404


def test_an_unforeseen_failure_is_500_json_without_a_traceback(archive_index):
    def opener(path: Path) -> Index:
        index = Index.open(path)

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("secret detail")

        index.search = broken  # type: ignore[method-assign]
        return index

    app = create_app(archive_index.path, opener=opener)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/search", params={"q": "Rafah"})
        assert answer.status_code == 500
        assert answer.json() == {
            "status": 500,
            "error": "internal",
            "message": "unexpected RuntimeError; see the server's log",
        }
        assert client.get("/api/stats").status_code == 200  # the server goes on
