"""``Publisher`` on the platform's broker: persistent messages, confirmed before returning."""

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_platform import broker as platform_broker

from ..ports import EncodedMessage, PublishFailed
from . import BROKER_ERRORS


class RabbitPublisher(platform_broker.RabbitPublisher):
    """The platform's publisher, its broker errors the gateway's ``PublishFailed`` (a 503), and
    messages already encoded (row batches)."""

    async def publish(self, route: Route, message: Message) -> None:
        try:
            await super().publish(route, message)
        except BROKER_ERRORS as exc:
            raise PublishFailed(route.routing_key) from exc

    async def publish_encoded(self, route: Route, message: EncodedMessage) -> None:
        try:
            await platform_broker.publish_encoded(
                self._broker,
                self._topology,
                route,
                message.body,
                message_id=str(message.message_id),
                correlation_id=str(message.correlation_id),
            )
        except BROKER_ERRORS as exc:
            raise PublishFailed(route.routing_key) from exc
