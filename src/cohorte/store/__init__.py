"""What the build keeps between runs: the manifest, provenance, and the prepared per-site data."""
