"""What a technique is (schema: parameters, families, value checks) and the catalogue of every technique,
each a set of stages."""
