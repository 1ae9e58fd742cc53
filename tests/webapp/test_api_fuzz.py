"""Every operation of the OpenAPI schema, fuzzed by schemathesis from the schema itself: whatever a
client sends, the answer is never a 500 (bad input is a 4xx), and every answer is one the schema
declares: its status code, its content type and its body (the JSON answers and the {"detail"} errors
validated against their response schemas). In-process, over Django's WSGI handler."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def token(db, django_user_model):
    from webapp.accounts.models import ApiToken

    user = django_user_model.objects.create_user("fuzz", password="fuzz-password-1")
    return ApiToken.objects.issue(user, "fuzz")[1]


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_is_answered_with_a_500_or_off_its_schema(case, token, media_root):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    case.validate_response(response, checks=CHECKS)
