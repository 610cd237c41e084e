"""The HTTP API of the teams service, one router per part of the domain."""
