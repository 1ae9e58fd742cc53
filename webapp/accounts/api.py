"""Accounts: sign up, log in and out, who am I; personal API tokens."""

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from webapp import throttle
from webapp.accounts.auth import PRIVATE_AUTH, BearerTokenAuth, require_csrf
from webapp.accounts.models import ApiToken
from webapp.errors import FieldError
from webapp.schemas import Me, NewToken, Token, answers

auth_router = Router(tags=["accounts"])
tokens_router = Router(tags=["accounts"], auth=PRIVATE_AUTH)


class Credentials(Schema):
    username: str
    password: str


class TokenIn(Schema):
    name: str = ""


def me_json(request: HttpRequest) -> dict:
    user = request.user
    if not user.is_authenticated and request.headers.get("Authorization"):
        user = BearerTokenAuth()(request) or user
    if user.is_authenticated:
        return {"authenticated": True, "username": user.get_username()}
    return {"authenticated": False}


@auth_router.get("/me", response=Me, exclude_unset=True, summary="Who is logged in; sets the csrftoken cookie")
def me(request: HttpRequest):
    get_token(request)  # CsrfViewMiddleware then sets the csrftoken cookie on the response
    return me_json(request)


@auth_router.post(
    "/signup", response=answers({200: Me}, 400, 403), exclude_unset=True, summary="Create an account and log in"
)
def signup(request: HttpRequest, payload: Credentials):
    require_csrf(request)
    User = get_user_model()
    username = payload.username.strip()
    field = User._meta.get_field(User.USERNAME_FIELD)
    try:
        field.clean(username, None)
    except ValidationError as exc:
        raise FieldError(f"username: {' '.join(exc.messages)}", "username") from None
    if User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise FieldError("username: that name is taken", "username")
    user = User(**{User.USERNAME_FIELD: username})
    try:
        validate_password(payload.password, user)
    except ValidationError as exc:
        raise FieldError(f"password: {' '.join(exc.messages)}", "password") from None
    user.set_password(payload.password)
    user.save()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    get_token(request)  # login rotates the CSRF token: send the new one
    return me_json(request)


@auth_router.post(
    "/login",
    response=answers({200: Me}, 400, 403, 429),
    exclude_unset=True,
    summary="Log in with username and password (session cookie); 429 after too many failures",
)
def login_view(request: HttpRequest, payload: Credentials):
    require_csrf(request)
    username = payload.username.strip()
    # Past the limit every attempt is refused, the right password too, until the window has passed.
    throttle.LOGIN.check(request, username, "too many failed logins for this username from your address", "username")
    user = authenticate(request, username=username, password=payload.password)
    if user is None:
        throttle.LOGIN.count(request, username)
        raise HttpError(400, "wrong username or password")
    throttle.LOGIN.reset(request, username)
    login(request, user)
    get_token(request)
    return me_json(request)


@auth_router.post("/logout", response=answers({200: Me}, 403), exclude_unset=True, summary="Log out (ends the session)")
def logout_view(request: HttpRequest):
    if request.user.is_authenticated:
        require_csrf(request)
    logout(request)
    get_token(request)
    return me_json(request)


@tokens_router.get(
    "",
    response=answers({200: list[Token]}, 401),
    exclude_unset=True,
    summary="Your personal API tokens (never the tokens themselves)",
)
def list_tokens(request: HttpRequest):
    return [t.as_json() for t in ApiToken.objects.filter(user=request.auth)]


@tokens_router.post(
    "",
    response=answers({201: NewToken}, 400, 401, 403, 429),
    exclude_unset=True,
    summary="A new personal API token, shown once; 429 after too many in a while",
)
def create_token(request: HttpRequest, payload: TokenIn):
    who = str(request.auth.pk)
    throttle.TOKENS.check(request, who, "too many new tokens from your address")
    throttle.TOKENS.count(request, who)
    token, raw = ApiToken.objects.issue(request.auth, payload.name)
    return Status(201, {**token.as_json(), "token": raw})


@tokens_router.delete("/{int:token_id}", response=answers({204: None}, 400, 401, 403, 404), summary="Revoke a token")
def delete_token(request: HttpRequest, token_id: int):
    deleted, _ = ApiToken.objects.filter(user=request.auth, pk=token_id).delete()
    if not deleted:
        raise HttpError(404, "token not found")
    return Status(204, None)
