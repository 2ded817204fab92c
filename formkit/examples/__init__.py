"""The bundled example: a small roster and plans used by `formkit demo`."""
