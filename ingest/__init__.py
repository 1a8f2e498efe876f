"""Documents in: discovery, loading, cleaning and chunking (the first stage of the data flow)."""
