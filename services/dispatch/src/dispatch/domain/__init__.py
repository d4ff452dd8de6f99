"""Pure rules of sending: the failure taxonomy, reason texts, receipt interpretation."""
