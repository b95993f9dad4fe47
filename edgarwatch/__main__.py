"""`python -m edgarwatch` is the `edgarwatch` command."""

from edgarwatch.cli import main

if __name__ == "__main__":
    main()
