from faststream.rabbit import RabbitBroker

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_platform.broker import publish
from cohort_platform.topology import Topology


class RabbitEventPublisher:
    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def publish(self, route: Route, message: Message) -> None:
        await publish(self._broker, self._topology, route, message)
