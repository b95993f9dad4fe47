"""edgarwatch: watch SEC EDGAR for 8-K filings and notify people the moment one matters."""

__version__ = "0.1.0"
