"""Dispatch: hands rendered messages to SMS and email providers and interprets their receipts."""
