"""The catalogue of Carrel's events, one module per producing service.

Each module lists its payload models in ``EVENTS`` and registers its upcasters
in ``register_upcasters``; this package puts them into one catalogue.
"""

from carrel_events.catalogue import Catalogue
from carrel_events.contracts import matching, profile, resources, teams

CATALOGUE = Catalogue()

for _module in (profile, teams, resources, matching):
    CATALOGUE.register(*_module.EVENTS)
    _module.register_upcasters(CATALOGUE)
