"""Everything that talks to a provider, campaign or RabbitMQ."""
