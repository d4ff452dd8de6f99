"""What each page shows, worked out from what the gateway answered: pure functions, no I/O."""
