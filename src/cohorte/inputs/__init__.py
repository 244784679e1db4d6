"""Inputs: reading, validating and generating (demo) the row-level tables of an edition."""
