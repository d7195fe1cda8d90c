"""The reader-facing site: the index, model and organisation pages, compare, downloads.

- `queries`   read-side services (public models only, a fixed number of queries per page)
- `views`     thin views over them; `urls` and `sitemaps` wire them up
- `caching`   whole-page cache for anonymous readers, keyed by URL and data version
- `downloads` CSV / JSON of the (filtered) table and the upstream YAML zip
- `as_of`     the index as it stood on a past date, rebuilt from the history

Filters and ordering live in `curation.filters`, shared with the API.
"""
