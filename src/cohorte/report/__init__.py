"""Report: what the notebooks call — site and synthesis contexts, sentences, figures, formatting, display."""
