"""A Firetext SMS gateway simulator: sendsms, credit, delivery receipts and inbound replies."""
