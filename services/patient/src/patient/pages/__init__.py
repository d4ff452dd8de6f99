"""What the pages work out from the gateway's answers, without I/O (tested alone)."""
