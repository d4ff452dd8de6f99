"""Documents, filters and updates for the differential tests (hypothesis strategies)."""

from typing import Any

from hypothesis import strategies as st

FIELDS = ["a", "b", "c.x"]

#: Values of the types the services store; ints and floats overlap so numbers compare across
#: types. (Dates are left to the behaviour tests: mongomock keeps them naive.)
plain_scalars = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.sampled_from([0.5, 2.0, -1.5]),
    st.sampled_from(["", "a", "b", "READY", "SENT"]),
)
scalars = st.one_of(plain_scalars, st.booleans())


@st.composite
def documents(draw: st.DrawFn, booleans: bool = True) -> list[dict[str, Any]]:
    """Up to 12 documents with fields ``a``, ``b`` (scalars or arrays) and ``c`` (``{x: ...}``
    or a scalar), each possibly missing."""
    one = scalars if booleans else plain_scalars
    values = st.one_of(one, st.lists(one, max_size=3))
    docs = []
    for i in range(draw(st.integers(0, 12))):
        doc: dict[str, Any] = {"_id": i}
        for name in ("a", "b"):
            if draw(st.booleans()):
                doc[name] = draw(values)
        if draw(st.booleans()):
            doc["c"] = {"x": draw(values)} if draw(st.booleans()) else draw(one)
        docs.append(doc)
    return docs


def _condition(field: str, operand: st.SearchStrategy[Any], negation: bool) -> Any:
    plain = st.one_of(
        operand.map(lambda v: {field: v}),
        st.tuples(st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), operand).map(
            lambda p: {field: {p[0]: p[1]}}
        ),
        st.tuples(st.sampled_from(["$in", "$nin"]), st.lists(operand, max_size=3)).map(
            lambda p: {field: {p[0]: p[1]}}
        ),
        st.booleans().map(lambda b: {field: {"$exists": b}}),
    )
    if not negation:
        return plain
    negated = st.tuples(st.sampled_from(["$gt", "$lt"]), operand).map(
        lambda p: {field: {"$not": {p[0]: p[1]}}}
    )
    return st.one_of(plain, negated)


@st.composite
def filters(
    draw: st.DrawFn, booleans: bool = True, nested: bool = True, negation: bool = True
) -> dict[str, Any]:
    """A condition, or ``$and``/``$or``/``$nor`` of up to three (``nested``: on ``c.x`` too;
    ``negation``: ``$not`` too)."""
    operand = scalars if booleans else plain_scalars
    fields = FIELDS if nested else FIELDS[:2]
    conditions = st.sampled_from(fields).flatmap(lambda f: _condition(f, operand, negation))
    kind = draw(st.sampled_from(["one", "and", "or", "nor"]))
    if kind == "one":
        return draw(conditions)
    clauses = draw(st.lists(conditions, min_size=1, max_size=3))
    return {f"${kind}": clauses}


updates = st.one_of(
    st.tuples(st.sampled_from(["a", "b", "c.x", "d"]), scalars).map(
        lambda p: {"$set": {p[0]: p[1]}}
    ),
    st.sampled_from(["a", "b", "d"]).map(lambda f: {"$unset": {f: ""}}),
    st.sampled_from(["n", "a"]).map(lambda f: {"$inc": {f: 1}}),
    st.tuples(st.sampled_from(["$min", "$max"]), st.integers(-3, 3)).map(
        lambda p: {p[0]: {"n": p[1]}}
    ),
)
