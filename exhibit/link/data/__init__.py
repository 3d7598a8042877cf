"""Data tables of the link capability (gazetteer)."""
