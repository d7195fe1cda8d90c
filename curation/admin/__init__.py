"""Admin for curators, reviewers and editors; one module per room, imported here."""
