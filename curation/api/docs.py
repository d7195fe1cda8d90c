"""The OpenAPI schema (`/api/v1/schema/`) and a documentation page rendered from it.

The documentation is plain server-rendered HTML in the site's layout: it needs no JavaScript
and no assets from elsewhere, unlike the usual Swagger UI or Redoc pages.
"""

from __future__ import annotations

import functools
import json

from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from markdown_it import MarkdownIt
from rest_framework import authentication
from rest_framework.response import Response

from curation.api.authentication import ExpiringTokenAuthentication
from curation.api.conditional import ConditionalReadMixin
from curation.api.throttling import AnonymousRateThrottle, throttled_error

_METHODS = ("get", "post", "put", "patch", "delete")


class SchemaView(ConditionalReadMixin, SpectacularAPIView):
    """The OpenAPI 3 schema as YAML (default) or JSON (`?format=json`)."""

    authentication_classes = [ExpiringTokenAuthentication, authentication.SessionAuthentication]
    throttle_classes = [AnonymousRateThrottle]
    cross_origin_reads = True

    def throttled(self, request, wait):
        raise throttled_error(wait)

    @extend_schema(
        summary="This API's OpenAPI 3 schema (YAML, or JSON with ?format=json)", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def _get_schema_response(self, request):
        # The schema depends on the code only: build it once per process, not per request.
        return Response(
            data=openapi_schema(),
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, None)}"'},
        )


@functools.lru_cache(maxsize=1)
def openapi_schema() -> dict:
    """The API's schema as a dict (it depends on code only, so it is built once per process)."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def _resolve(schema: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"].get(name, {})
    return node


def _type_text(schema: dict, node) -> str:
    if not isinstance(node, dict):
        return ""
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if "allOf" in node or "oneOf" in node:
        alternatives = node.get("allOf", node.get("oneOf")) or []
        return " or ".join(_type_text(schema, sub) for sub in alternatives)
    if node.get("type") == "array":
        return f"list of {_type_text(schema, node.get('items', {}))}"
    text = node.get("type", "any")
    if node.get("enum"):
        values = [str(v) for v in node["enum"] if v not in ("", None)]
        text += ": " + ", ".join(values[:12]) + (" …" if len(values) > 12 else "")
    if node.get("nullable"):
        text += " or null"
    return text


def _fields(schema: dict, node) -> list[dict]:
    node = _resolve(schema, node)
    required = set(node.get("required", []))
    return [
        {
            "name": name,
            "type": _type_text(schema, sub),
            "required": name in required,
            "read_only": sub.get("readOnly", False),
            "description": sub.get("description", ""),
        }
        for name, sub in node.get("properties", {}).items()
    ]


_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str) -> str:
    """A description's Markdown as HTML (raw HTML in it is shown as text, not run)."""
    return mark_safe(_MARKDOWN.render(text)) if text else ""  # noqa: S308 - html is off: raw HTML in the text comes out escaped


def operations(schema: dict) -> list[dict]:
    """Each operation of the schema, grouped by tag, shaped for the documentation template."""
    groups: dict[str, list[dict]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if not op:
                continue
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for code, response in sorted(op.get("responses", {}).items()):
                content = response.get("content", {}).get("application/json", {}).get("schema")
                responses.append(
                    {
                        "code": code,
                        "description": response.get("description", ""),
                        "type": _type_text(schema, content) if content else "",
                    }
                )
            groups.setdefault((op.get("tags") or ["api"])[0], []).append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": markdown_html(op.get("description", "")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_text(schema, p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _fields(schema, body) if body else [],
                    "responses": responses,
                    "secured": any("tokenAuth" in s or "cookieAuth" in s for s in op.get("security", []))
                    and {} not in op.get("security", []),
                }
            )
    return [{"tag": tag, "operations": ops} for tag, ops in groups.items()]


@require_safe
def docs(request):
    schema = openapi_schema()
    components = [
        {"name": name, "description": markdown_html(node.get("description", "")), "fields": _fields(schema, node)}
        for name, node in sorted(schema.get("components", {}).get("schemas", {}).items())
        if node.get("properties")
    ]
    return render(
        request,
        "curation/api/docs.html",
        {
            "info": schema.get("info", {}),
            "groups": operations(schema),
            "components": components,
        },
    )
