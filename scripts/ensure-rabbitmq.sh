#!/usr/bin/env bash
# Makes sure the RabbitMQ at RABBITMQ_URL (default 127.0.0.1:5672) answers; starts the local
# server if it is installed and down. Integration and end-to-end tests need a real broker.
set -euo pipefail
port_open() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if [ -n "${RABBITMQ_URL:-}" ] && [[ "$RABBITMQ_URL" != *"127.0.0.1"* && "$RABBITMQ_URL" != *"localhost"* ]]; then
  exit 0  # a remote broker: nothing to start here
fi
if port_open; then exit 0; fi
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  echo "RabbitMQ is not running on 127.0.0.1:5672 and rabbitmq-server is not installed." >&2
  echo "Install it (apt-get install rabbitmq-server) or set RABBITMQ_URL." >&2
  exit 1
fi
echo "starting rabbitmq-server" >&2
rabbitmq-server -detached
for _ in $(seq 1 60); do
  if port_open && rabbitmqctl -q status >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "RabbitMQ did not come up within 60 s" >&2
exit 1
