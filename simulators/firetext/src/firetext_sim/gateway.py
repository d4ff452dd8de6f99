"""The simulated Firetext account: accepts sends, spends credit, records what each handset got."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from uuid import uuid4

from firetext_sim.fragments import fragment_count
from firetext_sim.messages import AcceptedMessage, MessageLog
from firetext_sim.outcomes import OutcomeRules
from firetext_sim.receipts import ReceiptCounts, ReceiptSender
from firetext_sim.validation import SendCode, international_form, parse_send


@dataclass
class Stats:
    requests: int = 0
    accepted_messages: int = 0
    rejected: int = 0
    throttled: int = 0
    errors: int = 0


@dataclass(frozen=True)
class SendResult:
    code: SendCode
    credits_used: int = 0
    message_id: str | None = None


@dataclass
class Account:
    api_key: str
    credit: int
    rules: OutcomeRules
    receipts: ReceiptSender
    messages: MessageLog = field(default_factory=MessageLog)
    stats: Stats = field(default_factory=Stats)

    def send(self, params: Mapping[str, str]) -> SendResult:
        request = parse_send(params, self.api_key)
        if isinstance(request, SendCode):
            self.stats.rejected += 1
            return SendResult(request)
        cost = fragment_count(request.message) * len(request.numbers)
        if cost > self.credit:
            self.stats.rejected += 1
            return SendResult(SendCode.CREDIT)
        self.credit -= cost
        message_id = uuid4().hex
        for number in request.numbers:
            entry = AcceptedMessage(
                id=message_id,
                to=number,
                mobile=international_form(number),
                sender=request.sender,
                message=request.message,
                reference=request.reference,
                receipt=request.receipt,
            )
            self.messages.add(entry)
            self.receipts.schedule(entry, self.rules.for_number(number))
        self.stats.accepted_messages += len(request.numbers)
        return SendResult(SendCode.QUEUED, cost, message_id)

    def reset_stats(self) -> None:
        self.stats = Stats()
        self.receipts.counts = ReceiptCounts()

    def stats_json(self) -> dict[str, int]:
        counts = self.receipts.counts
        return {
            **asdict(self.stats),
            "receipts_sent": counts.sent,
            "receipts_failed": counts.failed,
        }
