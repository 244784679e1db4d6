"""Runner: plan an edition's jobs, execute the notebooks, render documents and assemble the book."""
