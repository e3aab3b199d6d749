"""The `operation` note that puts a view into the OpenAPI document."""

from collections.abc import Callable


def operation(
    summary: str,
    *,
    tag: str,
    body: str | None = None,
    responses: dict[int, str | None] | None = None,
    query: tuple[str, ...] = (),
) -> Callable[[Callable], Callable]:
    """Note how a view appears in the OpenAPI document (views without a note are missing)."""

    def decorator(view: Callable) -> Callable:
        view.openapi = {
            "summary": summary,
            "tag": tag,
            "body": body,
            "responses": responses or {},
            "query": query,
        }
        return view

    return decorator
