"""Text normalisation shared by search, records and linking: Chinese, Uyghur, Latin, script detection."""
