"""`python -m crm_gym` runs the command line."""

from crm_gym.cli import app

app()
