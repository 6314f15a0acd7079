"""Whether a function is a FastAPI path operation, from the decorators in its module.

FastAPI awaits `async def` path operations on the event loop and runs plain `def`
ones in its threadpool, so "make it a plain `def`" is advice for routes only. A
route is a function decorated with `@app.get(...)`, `@router.post(...)` and so on,
where `app`/`router` is assigned at module level from `fastapi.FastAPI(...)` or
`fastapi.APIRouter(...)`. An application or router imported from another module is
not known here.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from sqla_checks.evidence.assignments import Assignment
from sqla_checks.evidence.imports import ImportMap

# The decorator methods of `FastAPI` and `APIRouter` that register a path operation
# (fastapi/applications.py, fastapi/routing.py).
_ROUTE_DECORATORS = frozenset(
    {"get", "put", "post", "delete", "options", "head", "patch", "trace", "api_route"}
)
_APPLICATION_CLASSES = frozenset({"FastAPI", "APIRouter"})


def fastapi_applications(imports: ImportMap, assignments: Sequence[Assignment]) -> frozenset[str]:
    """Module-level names assigned a `FastAPI(...)` or `APIRouter(...)` instance."""
    names: set[str] = set()
    for assignment in assignments:
        value = assignment.value
        if isinstance(value, cst.Call):
            qualified = imports.resolve(value.func)
            if qualified is not None and _is_fastapi_class(qualified):
                names.add(assignment.name)
    return frozenset(names)


def is_route(function: cst.FunctionDef, applications: frozenset[str]) -> bool:
    """Whether `function` is registered as a path operation of one of `applications`."""
    for decorator in function.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        if (
            isinstance(target, cst.Attribute)
            and target.attr.value in _ROUTE_DECORATORS
            and isinstance(target.value, cst.Name)
            and target.value.value in applications
        ):
            return True
    return False


def _is_fastapi_class(qualified: str) -> bool:
    package, _, name = qualified.rpartition(".")
    return (package == "fastapi" or package.startswith("fastapi.")) and name in _APPLICATION_CLASSES
