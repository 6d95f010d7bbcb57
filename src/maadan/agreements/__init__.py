"""Agreements registry: MoUs, joint ventures, leases, offtakes, loans, trade deals, with sources."""
