"""Accounts, roles and sign-in: who may do what. `model` holds the plain domain (users, roles,
the errors), `passwords` the hashing and policy, `service` the use cases over a unit of work."""
