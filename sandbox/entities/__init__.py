"""The entities the sandbox serves: their stored JSON, write rules and query fields."""
