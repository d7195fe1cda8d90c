"""The index's charts: catalogue (what is counted), render (how it is drawn), publish (storage)."""
