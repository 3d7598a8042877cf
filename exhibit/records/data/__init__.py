"""GB/T 2260 region codes (CC0), shipped with the package; a package so that its files go into wheels."""
