"""Pure geometry and coordinate functions: CRS registry, transformations, areas, validity."""
