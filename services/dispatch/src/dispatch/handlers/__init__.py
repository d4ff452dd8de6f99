"""One async function per command: ``send_messages`` and ``process_firetext_receipt``."""

from .receipts import process_firetext_receipt
from .sending import SendingDeps, SendPolicy, send_messages

__all__ = ["SendPolicy", "SendingDeps", "process_firetext_receipt", "send_messages"]
