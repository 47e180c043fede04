"""The knowledge base: data files, their schema, the loader and the matcher."""
