"""Adoption of the index's models: Hugging Face downloads and likes per model repository.

`repos` maps models to their repositories, `fetch` reads the Hub (a Celery beat task and
`manage.py fetch_adoption` call it), `figures` turns the stored rows into per-model and
per-month figures for pages, charts, the API and downloads. `fake_hub` is a small stand-in
for the Hub's model API on loopback, for tests and the benchmark.
"""
