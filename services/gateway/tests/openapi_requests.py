"""Requests built from the gateway's own OpenAPI document, so that tests sweeping every operation
cover a new route without anyone listing it: path parameters come from named ids, bodies from
each schema's first example (a request body without one is a gap in the document, and fails)."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from gateway.entrypoints.app import create_app

BEARER = "HTTPBearer"
ACT_FOR = "X-Act-For-Org"
#: What the sweep uploads wherever a form has a file.
CSV = b"NHS Number,DOB\n9434765919,01/02/1980\n"

Schema = Mapping[str, Any]


class DocumentGap(AssertionError):
    """The OpenAPI document does not say enough to build a valid request."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation: Schema = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def security(self) -> set[str]:
        return {name for requirement in self.operation.get("security", []) for name in requirement}

    @property
    def path_parameters(self) -> list[str]:
        return [p["name"] for p in self._parameters("path")]

    @property
    def names_a_practice(self) -> bool:
        """Declares ``X-Act-For-Org``, so must refuse a practice the caller may not act for."""
        return any(p["name"] == ACT_FOR for p in self._parameters("header"))

    def _parameters(self, where: str) -> list[Schema]:
        return [p for p in self.operation.get("parameters", []) if p["in"] == where]


@cache
def document() -> dict[str, Any]:
    return create_app(configure_logs=False).openapi()


def operations() -> list[Operation]:
    return [
        Operation(method.upper(), path, operation)
        for path, methods in document()["paths"].items()
        for method, operation in methods.items()
    ]


@dataclass(frozen=True)
class Request:
    """Keyword arguments for ``httpx2.AsyncClient.request``."""

    method: str
    url: str
    json: object = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] | None = None
    params: dict[str, str] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        values: dict[str, Any] = {"params": self.params}
        if self.files is not None:
            values |= {"files": self.files, "data": self.data}
        elif self.json is not None:
            values["json"] = self.json
        return values


def build(operation: Operation, ids: Mapping[str, str]) -> Request:
    spec = document()
    unknown = [name for name in operation.path_parameters if name not in ids]
    if unknown:
        raise DocumentGap(
            f"{operation.id}: no id for path parameter(s) {unknown}: create one in the test "
            "world so that the route is swept"
        )
    url = operation.path.format(**{name: ids[name] for name in operation.path_parameters})
    params = {
        p["name"]: str(example(p.get("schema", {}), spec, f"{operation.id} query {p['name']}"))
        for p in operation.operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    content = operation.operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = example(content["application/json"]["schema"], spec, operation.id)
        return Request(operation.method, url, json=body, params=params)
    if "multipart/form-data" in content:
        files, data = _form(content["multipart/form-data"]["schema"], spec, operation.id)
        return Request(operation.method, url, files=files, data=data, params=params)
    if content:
        raise DocumentGap(f"{operation.id}: no request built for {sorted(content)}")
    return Request(operation.method, url, params=params)


def _form(
    schema: Schema, spec: Schema, where: str
) -> tuple[dict[str, tuple[str, bytes, str]], dict[str, str]]:
    files: dict[str, tuple[str, bytes, str]] = {}
    data: dict[str, str] = {}
    for name, prop in _resolve(schema, spec).get("properties", {}).items():
        if "contentMediaType" in prop or prop.get("format") == "binary":
            files[name] = ("list.csv", CSV, "text/csv")
        else:
            data[name] = str(example(prop, spec, f"{where} form field {name}"))
    return files, data


def example(schema: Schema, spec: Schema, where: str) -> object:
    """The schema's own example, else the simplest value it allows."""
    schema = _resolve(schema, spec)
    for key in ("examples", "example", "default", "enum"):
        if key in schema:
            value = schema[key]
            return value[0] if key in ("examples", "enum") else value
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return example(options[0], spec, where)
    match schema.get("type"):
        case "object":
            if schema.get("required") or schema.get("allOf"):
                raise DocumentGap(f"{where}: give the request body schema an example")
            return {}
        case "string":
            return "x" * max(1, int(schema.get("minLength", 1)))
        case "integer" | "number":
            return schema.get("minimum", 1)
        case "boolean":
            return False
        case "array":
            return []
    raise DocumentGap(f"{where}: cannot build a value for {dict(schema)}")


def _resolve(schema: Schema, spec: Schema) -> Schema:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def walk(value: object) -> Iterator[str]:
    """Every string in a decoded JSON document (keys and values)."""
    match value:
        case dict():
            for key, item in value.items():
                yield str(key)
                yield from walk(item)
        case list():
            for item in value:
                yield from walk(item)
        case str():
            yield value
