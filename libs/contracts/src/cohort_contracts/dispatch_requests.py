"""Requests to dispatch over request/reply (campaign asks for the provider's credit balance)."""

from typing import Literal

from .envelope import Message, Model


class GetCredit(Message):
    """The organisation's SMS credit balance at its provider (Firetext: ``/api/credit``)."""

    kind: Literal["GetCredit"] = "GetCredit"
    actor: str


class CreditBalance(Model):
    provider: str
    credits: int


#: Every request dispatch answers (a union with a ``kind`` discriminator once there are more).
DispatchRequest = GetCredit
