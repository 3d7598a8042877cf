"""Documents: anatomy, format checks, forensics, versions, references and dates of every document."""
