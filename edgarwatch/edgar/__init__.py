"""Everything that speaks EDGAR. `sources` is the front door (one function per source);
behind it the HTTP client, the format parsers and the 8-K document parser."""
