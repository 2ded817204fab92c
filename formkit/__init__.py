"""formkit: printable, scannable mini-CEX forms — generate, read back, report."""

__version__ = "0.1.0"
SCHEMA_VERSION = 1
