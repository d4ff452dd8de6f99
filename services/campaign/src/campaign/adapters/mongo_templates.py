"""Organisations' templates in MongoDB: ``templates`` holds each template's current version,
``template_versions`` every version ever saved (never changed), keyed ``<id>:<version>`` so two
editors can never both save the same version number."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from cohort_contracts.vocabulary import CampaignType
from cohort_mongo import insert_if_new

from ..domain.templates import Template
from .mongo_database import Document, MongoHandle


def _doc(t: Template) -> Document:
    return {
        "_id": t.id,
        "org_id": t.org_id,
        "name": t.name,
        "type": t.type,
        "body": t.body,
        "subject": t.subject,
        "version": t.version,
        "archived": t.archived,
        "updated_by": t.updated_by,
        "updated_at": t.updated_at,
    }


def _version_doc(t: Template, request_id: UUID | None) -> Document:
    doc = _doc(t) | {"_id": f"{t.id}:{t.version}", "template_id": t.id}
    doc["request_id"] = None if request_id is None else str(request_id)
    return doc


def _template(d: Document) -> Template:
    return Template(
        id=str(d.get("template_id") or d["_id"]),
        name=d["name"],
        type=d["type"],
        body=d["body"],
        subject=d.get("subject"),
        version=d["version"],
        archived=d.get("archived", False),
        org_id=d["org_id"],
        updated_by=d.get("updated_by"),
        updated_at=d.get("updated_at"),
    )


class MongoTemplateRepository:
    def __init__(self, mongo: MongoHandle) -> None:
        self._heads = mongo.db["templates"]
        self._versions = mongo.db["template_versions"]

    async def add(self, template: Template) -> bool:
        if not await insert_if_new(self._heads, _doc(template)):
            return False
        await insert_if_new(self._versions, _version_doc(template, None))
        return True

    async def get_in(self, orgs: Sequence[str], template_id: str) -> Template | None:
        doc = await self._heads.find_one({"_id": template_id, "org_id": {"$in": list(orgs)}})
        return None if doc is None else _template(doc)

    async def list_in(
        self, orgs: Sequence[str], type: CampaignType | None, include_archived: bool
    ) -> list[Template]:
        query: dict[str, Any] = {"org_id": {"$in": list(orgs)}}
        if type is not None:
            query["type"] = type
        if not include_archived:
            query["archived"] = False
        docs = self._heads.find(query).sort([("name", ASCENDING), ("_id", ASCENDING)])
        return [_template(d) async for d in docs]

    async def add_version(self, template: Template, request_id: UUID) -> Template | None:
        earlier = await self._versions.find_one(
            {"template_id": template.id, "request_id": str(request_id)}
        )
        if earlier is not None:
            return _template(earlier)
        try:
            await self._versions.insert_one(_version_doc(template, request_id))
        except DuplicateKeyError:
            return None
        # Only the holder of a version number moves the current version on, and never back.
        changes = {k: v for k, v in _doc(template).items() if k != "_id"}
        await self._heads.update_one(
            {"_id": template.id, "version": {"$lt": template.version}}, {"$set": changes}
        )
        return template

    async def version(self, template_id: str, version: int) -> Template | None:
        doc = await self._versions.find_one({"_id": f"{template_id}:{version}"})
        return None if doc is None else _template(doc)

    async def archive(self, template: Template) -> None:
        await self._heads.update_one(
            {"_id": template.id},
            {
                "$set": {
                    "archived": True,
                    "updated_by": template.updated_by,
                    "updated_at": template.updated_at,
                }
            },
        )
