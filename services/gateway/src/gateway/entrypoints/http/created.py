"""Answering a create (201): where the new resource now lives."""

from fastapi import APIRouter, Response


def point_to_created(
    response: Response, router: APIRouter, resource_id: object, **path_params: object
) -> None:
    """Sets ``Location`` to the new resource's URL: ``router``'s prefix (its path parameters
    filled in from ``path_params``), then ``resource_id``. Built from the prefix so that it stays
    the path its routes answer at."""
    response.headers["Location"] = f"{router.prefix.format(**path_params)}/{resource_id}"
