"""Everything that speaks EDGAR: HTTP client, feeds, JSON, filing index, 8-K items, tickers."""
