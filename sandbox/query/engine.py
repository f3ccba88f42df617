"""Runs a parsed query over an entity's stored rows and shapes QBO's QueryResponse."""

from sandbox.entities.payload import JsonDict
from sandbox.entities.registry import EntitySpec, QueryField
from sandbox.faults import query_validation_error
from sandbox.options import SandboxOptions
from sandbox.query.predicates import compile_condition, sort_key
from sandbox.query.projection import project
from sandbox.query.syntax import Query

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS_LIMIT = 1000


def run_query(
    query: Query, spec: EntitySpec, rows: list[JsonDict], options: SandboxOptions
) -> JsonDict:
    """Return the QueryResponse contents for `query` over `rows` (stored rows, in Id order)."""
    start, size = _paging(query)
    tests = [compile_condition(c, _filterable(spec, c.field), options) for c in query.where]
    # QBO hides inactive rows unless the statement itself says something about Active.
    if spec.hides_inactive and not any(c.field.lower() == "active" for c in query.where):
        tests.append(_is_active)
    matched = [row for row in rows if all(test(row) for test in tests)]
    if query.count:
        # startposition and maxresults, when attached to count(*), do not change the count.
        return {"totalCount": len(matched)}
    if query.order_by is not None:
        key = sort_key(_filterable(spec, query.order_by), options)
        matched.sort(key=key, reverse=query.descending)
    page = matched[start - 1 : start - 1 + size]
    if not page:
        return {}
    if query.fields is not None:
        page = [project(row, query.fields) for row in page]
    return {spec.name: page, "startPosition": start, "maxResults": len(page)}


def _is_active(row: JsonDict) -> bool:
    return row.get("Active") is not False


def _filterable(spec: EntitySpec, name: str) -> QueryField:
    field = spec.field(name)
    if field is None:
        raise query_validation_error(f"property '{name}' is not queryable")
    return field


def _paging(query: Query) -> tuple[int, int]:
    start = 1 if query.start_position is None else query.start_position
    size = DEFAULT_MAX_RESULTS if query.max_results is None else query.max_results
    if size > MAX_RESULTS_LIMIT:
        raise query_validation_error(
            f"value {size} is too large. Max allowed value is {MAX_RESULTS_LIMIT}"
        )
    for value in (start, size):
        if value < 1:
            raise query_validation_error(f"value {value} is too small. Min allowed value is 1")
    return start, size
