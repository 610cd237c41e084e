"""The processes of the resources service: HTTP, relay, consumer and seed."""
