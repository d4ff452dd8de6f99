"""Settings every service shares: where RabbitMQ is, the namespace, queue bounds, HTTP bind."""

from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: A TCP port to listen on.
Port = Annotated[int, Field(ge=1, le=65535)]


class ServiceSettings(BaseSettings):
    """The HTTP bind and log level every service and page app has. A subclass sets its
    ``env_prefix`` and its own default port (``port: Port = 8102``)."""

    model_config = SettingsConfigDict(extra="ignore")

    #: Address the HTTP server binds (``0.0.0.0`` in a container).
    host: str = "127.0.0.1"
    #: Port of ``/healthz``, ``/readyz``, ``/metrics`` and ``/asyncapi``.
    port: Port
    #: Python log level of the JSON logs.
    log_level: str = "INFO"


class RabbitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    #: Prefix of every exchange and queue, so deployments and test runs can share a broker.
    cohort_namespace: str = Field(default="cohort", pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")
    #: Deliveries of one message before it is dead-lettered (quorum ``x-delivery-limit``).
    cohort_delivery_limit: int = Field(default=5, ge=1, le=50)
    #: A handler that failed waits this long before its message goes back to the queue,
    #: doubling with each delivery: a failure that lasts a moment (a connection being
    #: re-established) must not use up the delivery limit in a burst of instant retries.
    cohort_redelivery_pause_s: float = Field(default=0.5, ge=0)
    #: The longest such wait.
    cohort_redelivery_pause_max_s: float = Field(default=10.0, ge=0)
    #: Bound of every work queue; beyond it RabbitMQ refuses publishes (back-pressure).
    cohort_max_queue_length: int = Field(default=100_000, ge=100)
    #: Seconds a request to campaign may take before the caller gives up.
    cohort_rpc_timeout_s: float = Field(default=10.0, gt=0)
    #: On SIGTERM, seconds to let in-flight handlers finish before the rest are left unacked
    #: for redelivery; keep it below the pod's terminationGracePeriodSeconds.
    cohort_graceful_timeout_s: float = Field(default=30.0, gt=0)
