"""`python -m mock_server serve …`."""

from .cli import main

main()
