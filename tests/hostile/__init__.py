"""Generators of hostile files and requests, one module per class of attack, shared by the tests."""
