"""``Publisher`` on the platform's broker: persistent messages, confirmed before returning."""

from faststream.rabbit import RabbitBroker

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_platform.broker import publish
from cohort_platform.topology import Topology

from ..ports import PublishFailed
from . import BROKER_ERRORS


class RabbitPublisher:
    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def publish(self, route: Route, message: Message) -> None:
        try:
            await publish(self._broker, self._topology, route, message)
        except BROKER_ERRORS as exc:
            raise PublishFailed(route.routing_key) from exc
