"""Delmål catalogues for Swedish ST regulations (YAML data files)."""
