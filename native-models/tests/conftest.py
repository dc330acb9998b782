"""Session-wide fixtures of the MuseDance model tests (md_*): one short training chain shared by the training
and export tests, so the suite trains it once."""
import pytest

from md_fixtures import train_chain


@pytest.fixture(scope="session")
def md_chain(tmp_path_factory):
    return train_chain(str(tmp_path_factory.mktemp("md_chain")))
