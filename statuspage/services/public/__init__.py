"""The read side: what the public may see right now — page status, uptime, Statuspage JSON, feeds, badges.

Nothing here writes, except uptime's daily rollups (refreshed from events.py inside the writer's transaction).
"""
