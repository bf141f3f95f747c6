"""Analytics has no enumerations of its own; it reports on the pipeline's stages."""
