"""The data model, layer definitions, loading and validating ``data/``, and the repository."""
