"""Physical flows: demands, dispatch of the energy community, water, carbon, transport."""
