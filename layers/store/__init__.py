"""The store: the published collections, one reader (provider) per data source, the data version, caches."""
