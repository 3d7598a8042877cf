"""Link people across sources and scripts: who each record and mention is about."""
