"""What the handlers need from the outside world, by what they hold. Adapters implement these."""
