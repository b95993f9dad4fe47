"""The daemon: scheduler wiring, the poll / reconcile / dispatch cycles, signals, systemd."""
