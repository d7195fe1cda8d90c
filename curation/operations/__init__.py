"""Running the site: health and readiness checks, the worker's heartbeat, fault drills."""
