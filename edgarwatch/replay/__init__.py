"""A local EDGAR: serves recorded-format fixtures on loopback for the demo and the tests."""
