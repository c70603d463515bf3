"""`python -m qa` is the same as the `qa` console script."""

from qa.cli import main

raise SystemExit(main())
