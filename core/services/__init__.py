"""Use cases as plain functions: ports first, then ids and values, `now` passed in."""
