"""After the crisis: the trust-rebuilding checklist, the postmortem and the trust report."""
