"""One async function per command: ``send_messages``, ``process_firetext_receipt``,
``process_firetext_inbound`` and ``get_credit``."""

from ..domain.retry_policy import RetryPolicy
from .credit import get_credit
from .deps import Deps
from .inbound import process_firetext_inbound
from .receipts import process_firetext_receipt, process_firetext_receipts
from .sending import SendingDeps, SendPolicy, send_messages

__all__ = [
    "Deps",
    "RetryPolicy",
    "SendPolicy",
    "SendingDeps",
    "get_credit",
    "process_firetext_inbound",
    "process_firetext_receipt",
    "process_firetext_receipts",
    "send_messages",
]
