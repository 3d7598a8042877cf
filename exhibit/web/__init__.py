"""The web app: exhibit in the browser for a team, a thin HTTP layer over the library."""
