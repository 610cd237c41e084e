"""A stand-in service that dies at once, as a broken service would."""

raise SystemExit(3)
