"""Reference data the kit ships: the legal calendar (and, beside it, other dated national facts).

Each file is data with its source; code looks values up for an edition's reference date and never
types a legal date itself.
"""
