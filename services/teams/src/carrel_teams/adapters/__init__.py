"""What the teams service writes besides its events: the mailer outbox and deadlines."""
