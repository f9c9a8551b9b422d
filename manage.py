#!/usr/bin/env python3
"""Django's manage.py for developers; users run the `cxloop` command."""

from cxloop.cli import main

if __name__ == "__main__":
    main()
