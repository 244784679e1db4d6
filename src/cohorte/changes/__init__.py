"""Edition over edition: starting an edition from the previous one, and what changed since.

- ``new_edition``: ``cohorte new-edition`` (settings, grids to confirm, prose, a renewed cohort);
- ``transitions``: coded fields compared between two editions' grids (advance, regress, unconfirmed);
- ``previous``: the previous edition's published values, read from its build outputs with their hashes;
- ``indicators``: the main indicators' changes, under disclosure control;
- ``compare``: the tidy table of ``cohorte compare``.
"""
