"""The support team: accounts, passwords, two-factor login, API tokens."""
