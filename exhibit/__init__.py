"""exhibit: an evidence archive for caches of leaked government documents."""

__version__ = "0.1.0"
TOOL = f"exhibit {__version__}"
