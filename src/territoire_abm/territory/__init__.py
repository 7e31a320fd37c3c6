"""The territory: the model, its yearly stages, state as data, places and regions."""
