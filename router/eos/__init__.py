"""Exactly-once machinery of the router: co-partitioned assignment, one transactional producer
per input partition number, changelog restore."""
