"""The hosted web form's database as a channel, so that `cpc-forms score submissions.sqlite` reads it.

The reader lives beside the storage it reads (cpc_forms/store.py); the page is the html channel's."""
from ..store import read, sniff

__all__ = ["generate", "sniff", "read"]


def generate(form, out_dir):
    """Nothing to build: the server renders the html channel's page on request."""
    return []
