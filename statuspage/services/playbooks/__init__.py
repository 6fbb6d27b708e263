"""Playbooks: loading them from incidents/, checking them, owners' overrides, rendering and composing messages."""
