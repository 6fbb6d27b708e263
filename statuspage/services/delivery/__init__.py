"""Delivery: one outbox engine and what it sends — the team's notices, subscribers' e-mail, webhooks.

    outbox.py       the engine: claim a due row, send it through its kind's sender, mark it (start here)
    notify.py       team notices: the log, e-mail, a Slack-compatible webhook; the SMTP connection
    mailer.py       subscriber e-mail: render and send one message
    webhooks.py     endpoints, Statuspage-shaped events, signing and POSTing one delivery
    subscribers.py  sign-up, confirmation, unsubscribing, fanning an update out to the mail outbox
    claims.py       insert-or-nothing claims, for work that several schedulers may race to do
    headers.py      e-mail header values on one line, stable Message-ID and event ids
    egress.py       outbound HTTP for webhooks: public addresses only, no redirects

These are the only services that commit. Every other service changes the session and leaves the commit
to its caller (a view, a job). Sending happens outside any request, from the scheduler's jobs, in
transactions of its own: the engine commits each claim and each mark; webhooks.py commits an endpoint's
failure count after a send and each component change it reports; subscribers.py commits the purge of
expired sign-ups. Queuing never commits: a message's row joins the caller's transaction, with its event.
"""
