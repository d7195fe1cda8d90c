"""The index's REST API (`/api/v1/`): read-only public endpoints and curator endpoints.

Views here only shape requests and responses: reading goes through the public querysets and
FilterSets, writing through the review services, so the API can do nothing the admin forbids.
"""
