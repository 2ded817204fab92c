"""Built-in declarative form layouts (YAML data files; no code lives here)."""
