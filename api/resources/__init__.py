"""One Blueprint per resource of the v1 API."""
