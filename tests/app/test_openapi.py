"""The OpenAPI document describes what every route answers: each 2xx JSON response has a schema."""

from __future__ import annotations

from typing import Any


def _operations(doc: dict[str, Any]):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def _is_open_object(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """No documented content: {} or a bare object with no properties (what ``-> dict`` used to give)."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return not schema or (schema.get("type") == "object" and not schema.get("properties"))


def test_every_2xx_json_response_has_a_schema_with_named_fields(app_env) -> None:
    doc = app_env["anon"].get("/openapi.json").json()
    components = doc.get("components", {}).get("schemas", {})
    checked, missing = 0, []
    for path, method, op in _operations(doc):
        for status, response in op.get("responses", {}).items():
            if not status.startswith("2"):
                continue
            content = response.get("content", {})
            assert content, f"{method.upper()} {path} {status}: no content described"
            if "application/json" not in content:
                assert {"text/event-stream", "application/zip"} & set(content), (path, content)
                continue
            checked += 1
            schema = content["application/json"].get("schema", {})
            if _is_open_object(schema, components):
                missing.append(f"{method.upper()} {path}")
    assert checked >= 30 and missing == [], missing


def test_streams_are_documented_as_server_sent_events(app_env) -> None:
    doc = app_env["anon"].get("/openapi.json").json()
    for path in (
        "/api/conversations/{conversation_id}/messages",
        "/api/conversations/{conversation_id}/events",
    ):
        [op] = [o for p, _, o in _operations(doc) if p == path]
        assert "text/event-stream" in op["responses"]["200"]["content"]
