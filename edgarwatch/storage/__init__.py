"""The only code that touches SQLite: schema, migrations and named queries."""
