"""/openapi.json generates a working client: openapi-python-client builds one from the served document
into a temporary folder, and every operation is called through it against a real server with its example
values, its answer parsed into the generated models; errors parse into the declared error model."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import typing
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
from helpers import running_server

from kg import DEFAULT_QUERIES
from kg.catalogue import load_catalogue

pytestmark = [pytest.mark.server]
PACKAGE = "needling_client"
CATALOGUE = list(load_catalogue(DEFAULT_QUERIES))

Spec = dict[str, Any]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as base:
        yield base


@pytest.fixture(scope="module")
def spec(server: str) -> Spec:
    document: Spec = httpx.get(f"{server}/openapi.json", timeout=30).json()
    return document


@pytest.fixture(scope="module")
def generated(spec: Spec, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client, generated offline: no network, and no post-generation hooks (ruff) to wait for."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    (folder / "config.json").write_text(
        json.dumps({"post_hooks": [], "package_name_override": PACKAGE}), encoding="utf-8"
    )
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none"]
    command += ["--path", str(folder / "openapi.json"), "--config", str(folder / "config.json")]
    command += ["--output-path", str(folder / PACKAGE)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout.replace("WARNING parsing POST /sparql", ""), done.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def operations(spec: Spec) -> list[tuple[str, str, Spec]]:
    return [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def function_of(generated: ModuleType, op: Spec) -> ModuleType:
    tag = op["tags"][0].lower().replace(" ", "_")
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{op['operationId']}")


def example_of(parameter: Spec) -> object:
    schema = parameter.get("schema", {})
    for examples in (parameter.get("examples"), schema.get("examples")):
        if isinstance(examples, list) and examples:
            return examples[0]
        if isinstance(examples, dict) and examples:
            return next(iter(examples.values()))["value"]
    return parameter.get("example", schema.get("example"))


def arguments(module: ModuleType, op: Spec) -> dict[str, object]:
    """Each parameter's example under the generated function's name for it (`format` -> `format_`)."""
    hints = typing.get_type_hints(module._get_kwargs)
    kwargs: dict[str, object] = {}
    for parameter in op.get("parameters", []):
        example = example_of(parameter)
        if example is None:
            assert not parameter.get("required"), f"{op['operationId']}: {parameter['name']} has no example"
            continue
        python_name = next(n for n in (parameter["name"], parameter["name"] + "_") if n in hints)
        kwargs[python_name] = example
    body = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
    if body:
        form = {key: value["examples"][0] for key, value in body["schema"]["properties"].items()}
        body_model: Any = (
            typing.get_args(hints["body"])[0] if typing.get_args(hints["body"]) else hints["body"]
        )
        kwargs["body"] = body_model.from_dict(form)
    return kwargs


def success_model(generated: ModuleType, op: Spec) -> type | None:
    schema = op["responses"]["200"].get("content", {}).get("application/json", {}).get("schema", {})
    reference = schema.get("$ref") or schema.get("items", {}).get("$ref")
    if reference is None:
        return None
    models = importlib.import_module(f"{PACKAGE}.models")
    model: type = getattr(models, reference.rsplit("/", 1)[1])
    return model


def test_every_operation_answers_through_the_generated_client(
    spec: Spec, generated: ModuleType, server: str
) -> None:
    client = generated.Client(base_url=server, raise_on_unexpected_status=True, timeout=30)
    called = []
    for method, path, op in operations(spec):
        module = function_of(generated, op)
        answer = module.sync_detailed(client=client, **arguments(module, op))
        label = f"{method.upper()} {path}"
        documented = min(status for status in op["responses"] if status.startswith("2"))
        assert str(answer.status_code.value) == documented, f"{label}: {answer.content[:300]!r}"
        model = success_model(generated, op)
        if model is not None:
            parsed = answer.parsed if isinstance(answer.parsed, list) else [answer.parsed]
            assert parsed and all(isinstance(item, model) for item in parsed), label
            raw = json.loads(answer.content)
            assert [item.to_dict() for item in parsed] == (raw if isinstance(raw, list) else [raw]), label
        else:
            assert answer.content, label
        called.append(label)
    assert len(called) == len(CATALOGUE) + 8  # the named queries and the fixed operations


def test_named_query_rows_parse_into_the_generated_model(generated: ModuleType, server: str) -> None:
    client = generated.Client(base_url=server, raise_on_unexpected_status=True, timeout=30)
    module = importlib.import_module(f"{PACKAGE}.api.named_queries.treatments_for_condition")
    rows = module.sync(client=client, condition="sciatica")
    assert rows.vars_[:2] == ["therapy", "therapyLabel"]
    assert rows.truncated is False
    assert {row.additional_properties["therapyLabel"] for row in rows.rows} >= {"Dry needling", "Acupuncture"}


@pytest.mark.parametrize(
    ("operation", "arguments", "status", "code"),
    [
        ("named_queries.treatments_under_price", {"max_price": "cheap"}, 422, "invalid_parameter"),
        ("named_queries.treatments_for_condition", {"condition": "no such thing"}, 422, "invalid_parameter"),
        ("linked_data.resource", {"name": "no-such-resource"}, 404, "no_such_resource"),
        ("linked_data.resource", {"name": "dry-needling", "offset": -1}, 422, "invalid_parameter"),
        ("question_answering.ask", {"q": ""}, 422, "invalid_parameter"),
        ("sparql.sparql_get", {"query": "SELECT WHERE {"}, 400, "query_error"),
        ("sparql.sparql_get", {"query": "DROP ALL"}, 400, "update"),
    ],
)
def test_errors_parse_into_the_declared_error_model(
    generated: ModuleType, server: str, operation: str, arguments: dict[str, object], status: int, code: str
) -> None:
    client = generated.Client(base_url=server, raise_on_unexpected_status=True, timeout=30)
    module = importlib.import_module(f"{PACKAGE}.api.{operation}")
    answer = module.sync_detailed(client=client, **arguments)
    assert answer.status_code.value == status, answer.content
    error = importlib.import_module(f"{PACKAGE}.models").Error
    assert isinstance(answer.parsed, error)
    assert answer.parsed.error.code.value == code
    assert answer.parsed.error.message


def test_parameter_examples_come_from_the_query_headers(spec: Spec) -> None:
    """Each parameter of a named query shows its header's `example=` (else its default) as its example."""
    for query in CATALOGUE:
        operation = spec["paths"][f"/api/queries/{query.name}"]["get"]
        declared = {p["name"]: p for p in operation.get("parameters", [])}
        assert set(declared) == {param.name for param in query.params}
        for param in query.params:
            header = param.example or param.default
            assert header is not None or not param.required, f"{query.name}: {param.name} needs an example"
            if header is not None:
                shown = example_of(declared[param.name])
                assert str(shown).lower() == header.lower() or float(str(shown)) == float(header), param


def test_no_operation_declares_a_body_the_app_never_sends(spec: Spec) -> None:
    """Errors are the app's own `{"error": ...}` everywhere: FastAPI's default 422 body is gone."""
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    error_ref = "#/components/schemas/Error"
    for method, path, op in operations(spec):
        for status, response in op["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": error_ref}, f"{method} {path} {status}"
    codes = spec["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
    assert {"invalid_parameter", "unknown_query", "not_acceptable", "no_such_resource", "syntax"} <= set(
        codes
    )
