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


def _project(value: Any, tree: Tree, inclusion: bool) -> Any:
    """A document or array with the paths of ``tree`` kept (``inclusion``) or dropped. A path
    goes on into a document or array met on it; a value the tree names as a leaf is kept by an
    inclusion only, and one it does not name (an array's non-documents too) by an exclusion only."""
    if type(value) is dict:
        out = {}
        for name, v in value.items():
            sub = tree.get(name)
            if isinstance(sub, dict) and type(v) in (dict, list):
                out[name] = _project(v, sub, inclusion)
            elif (sub is True) == inclusion:
                out[name] = v
        return out
    return [
        _project(v, tree, inclusion) if type(v) in (dict, list) else v
        for v in value
        if type(v) in (dict, list) or not inclusion
    ]


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
    inclusion = bool(included)
    tree = _tree(included or excluded)
    if include_id == inclusion:  # ``_id`` stays unless excluded: name it to keep or to drop it
        tree["_id"] = True

    def project(doc: Document) -> Document:
        out: Document = _project(doc, tree, inclusion)
        return out

    return project
