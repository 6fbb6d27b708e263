"""Incidents and maintenances: their lifecycle, when an update is public, the queue of scheduled updates."""
