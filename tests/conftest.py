import pytest

from tests.services import redis_server


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server for the whole test session."""
    with redis_server() as url:
        yield url
