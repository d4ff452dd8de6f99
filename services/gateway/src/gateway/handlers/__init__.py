"""Use cases behind the HTTP routes that do more than one call."""
