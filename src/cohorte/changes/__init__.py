"""Edition over edition: what changed since the previous one (``cohorte new-edition`` is in the runner).

- ``transitions``: coded fields compared between two editions' grids (advance, regress, unconfirmed);
- ``previous``: the previous edition's published values, read from its build outputs with their hashes;
- ``indicators``: the main indicators' changes, under disclosure control;
- ``compare``: the tidy table of ``cohorte compare``.
"""
