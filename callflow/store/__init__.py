"""Storage: the only modules that talk to Redis or the database, one per thing stored, each owning its keys or
tables (a Redis key prefix is a constant at the top of the module that owns it)."""
