"""The error answers every API operation can give, written into its OpenAPI schema.

django-ninja documents only the responses an operation declares, but the API also answers 400
(a NUL character: gonghui.core.request_guard; a Host header not served: gonghui.core.views),
401 (no or a bad token), 404 (an object that does not exist or lies outside the caller's
subtree: the same answer, on purpose) and 422 (a parameter or body that does not validate).
Clients, and schemathesis in CI, rely on the schema naming every status they can get.
Free-text strings say in their pattern that they cannot hold a NUL (PostgreSQL text cannot).
"""

from typing import Any

from ninja import NinjaAPI, Swagger
from ninja.openapi.docs import ABS_TPL_PATH
from ninja.openapi.schema import OpenAPISchema

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
NO_NUL = "^[^\\u0000]*$"
VALIDATION_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
    "required": ["detail"],
}


def _response(description: str, component: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _forbid_nul(node: Any) -> None:
    """Every free-text string schema (no enum, format or pattern) says: no NUL character."""
    if isinstance(node, list):
        for item in node:
            _forbid_nul(item)
    elif isinstance(node, dict):
        if node.get("type") == "string" and not node.keys() & {"enum", "format", "pattern"}:
            node["pattern"] = NO_NUL
        for value in node.values():
            _forbid_nul(value)


def document_errors(schema: dict[str, Any]) -> None:
    _forbid_nul(schema.get("paths", {}))
    _forbid_nul(schema.get("components", {}))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    components.setdefault("ValidationError", VALIDATION_ERROR)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            errors = {400: _response("A NUL character, or a request not understood", "Error")}
            if operation.get("security"):
                errors[401] = _response("No token, or not a valid one", "Error")
            # A path parameter or a filter (`?org=CODE`) can name an object the caller cannot see.
            errors[404] = _response("No such object in the caller's subtree", "Error")
            if operation.get("parameters") or operation.get("requestBody"):
                errors[422] = _response("A parameter or the body is not valid", "ValidationError")
            responses = operation.setdefault("responses", {})
            for status, response in errors.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = response


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose schema also lists the error answers (see `document_errors`)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


class LocalSwagger(Swagger):
    """The API docs page from django-ninja's own Swagger UI files. Ninja renders those only when
    it is an installed app, else it points the page at a CDN (which an intranet cannot reach);
    we do not install it (see settings.NINJA_DIR) and serve its files ourselves, so the page
    ninja would render from the CDN is its local one."""

    template_cdn = str(ABS_TPL_PATH / "swagger.html")
