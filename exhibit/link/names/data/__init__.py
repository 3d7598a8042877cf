"""Data tables of the name model (syllables, alphabets, name lexicon)."""
