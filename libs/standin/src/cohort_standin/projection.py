"""Projections: inclusion (``{a: 1, "b.c": 1}``) or exclusion (``{a: 0}``), ``_id`` included
unless excluded, as the server applies them; an array met on a projected path keeps only its
documents' projected fields. Computed fields and ``$slice``/``$elemMatch`` raise
``NotImplementedError``; mixing inclusion and exclusion is refused with the server's error."""

from collections.abc import Callable, Mapping
from typing import Any

from .matching import QueryError

Document = dict[str, Any]
Tree = dict[str, Any]  # a path tree: name -> True (leaf) or a subtree


def _tree(paths: list[str]) -> Tree:
    tree: Tree = {}
    for path in paths:
        node = tree
        *parents, last = path.split(".")
        for part in parents:
            child = node.get(part)
            if child is True:
                break
            node = node.setdefault(part, {})
        else:
            node[last] = True
    return tree


def _include(value: Any, tree: Tree) -> Any:
    if type(value) is dict:
        out = {}
        for name, v in value.items():
            sub = tree.get(name)
            if sub is True:
                out[name] = v
            elif sub is not None and type(v) in (dict, list):
                out[name] = _include(v, sub)
        return out
    # An array: its documents projected, anything else dropped.
    return [_include(v, tree) for v in value if type(v) in (dict, list)]


def _exclude(value: Any, tree: Tree) -> Any:
    if type(value) is dict:
        out = {}
        for name, v in value.items():
            sub = tree.get(name)
            if sub is True:
                continue
            out[name] = _exclude(v, sub) if sub is not None and type(v) in (dict, list) else v
        return out
    return [_exclude(v, tree) if type(v) in (dict, list) else v for v in value]


def _parse(spec: Mapping[str, Any]) -> tuple[bool, list[str], list[str]]:
    include_id = True
    included: list[str] = []
    excluded: list[str] = []
    for path, flag in spec.items():
        if isinstance(flag, dict | str | list) or "$" in path:
            raise NotImplementedError("cohort_standin implements only 0/1 projections")
        if path == "_id":
            include_id = bool(flag)
            continue
        (included if flag else excluded).append(path)
    if included and excluded:
        # The server names the first field that disagrees with the projection's first field.
        inclusion = next(bool(v) for k, v in spec.items() if k != "_id")
        kind, wrong = ("exclusion", excluded[0]) if inclusion else ("inclusion", included[0])
        other = "inclusion" if inclusion else "exclusion"
        raise QueryError(31254 if kind == "exclusion" else 31253,
                         f"Cannot do {kind} on field {wrong} in {other} projection")  # fmt: skip
    return include_id, included, excluded


def compile_projection(spec: Mapping[str, Any] | None) -> Callable[[Document], Document] | None:
    """A function projecting a stored document (sharing its values: copy the result), or None
    for the whole document."""
    if not spec:
        return None
    include_id, included, excluded = _parse(spec)
    if included:
        tree = _tree(included)
        if include_id:
            tree["_id"] = True

        def inclusion(doc: Document) -> Document:
            out: Document = _include(doc, tree)
            return out

        return inclusion
    tree = _tree(excluded)
    if not include_id:
        tree["_id"] = True

    def exclusion(doc: Document) -> Document:
        out: Document = _exclude(doc, tree)
        return out

    return exclusion
