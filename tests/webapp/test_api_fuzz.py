"""Every operation of the OpenAPI schema, fuzzed by schemathesis from the schema itself: whatever a
client sends, the answer is never a 500 (bad input is a 4xx). In-process, over Django's WSGI handler."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def token(db, django_user_model):
    from webapp.accounts.models import ApiToken

    user = django_user_model.objects.create_user("fuzz", password="fuzz-password-1")
    return ApiToken.objects.issue(user, "fuzz")[1]


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_is_answered_with_a_500(case, token, media_root):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
