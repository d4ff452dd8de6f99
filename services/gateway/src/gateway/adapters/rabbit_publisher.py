"""``Publisher`` on the platform's broker: persistent messages, confirmed before returning."""

from faststream.rabbit import RabbitBroker

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_platform.broker import publish, publish_encoded
from cohort_platform.topology import Topology

from ..ports import EncodedMessage, PublishFailed
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

    async def publish_encoded(self, route: Route, message: EncodedMessage) -> None:
        try:
            await publish_encoded(
                self._broker,
                self._topology,
                route,
                message.body,
                message_id=str(message.message_id),
                correlation_id=str(message.correlation_id),
            )
        except BROKER_ERRORS as exc:
            raise PublishFailed(route.routing_key) from exc
