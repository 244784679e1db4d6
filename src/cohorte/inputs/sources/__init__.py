"""Sources: where an input table comes from and how its layout maps onto the data contract."""
