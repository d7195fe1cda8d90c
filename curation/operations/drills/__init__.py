"""Fault drills: break a private PostgreSQL or Redis under load and measure what readers and curators see."""
