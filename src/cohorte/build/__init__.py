"""Build: execute the notebooks, record provenance, render documents and assemble the book."""
