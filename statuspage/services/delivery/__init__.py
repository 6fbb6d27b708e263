"""Delivery: one outbox engine; the team's notices, subscribers' e-mail and webhooks.

These are the only services that commit: each message is claimed, sent and marked in transactions of its
own, outside any request (the scheduler's jobs run them).
"""
