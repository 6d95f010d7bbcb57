"""The applicant's portal (issue 16): self-registration and the officer's confirmation of an
applicant's organisation, password reset by a one-time link, e-mail preferences, and the e-mail
outbox with its dispatcher. Plain Python over the unit of work, like every domain package."""
