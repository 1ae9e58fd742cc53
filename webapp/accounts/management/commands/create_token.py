"""python manage.py create_token USERNAME [--name N] [--create-user]: prints a new personal API token."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from webapp.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Print a new personal API token for USERNAME (scripts send it as 'Authorization: Bearer ...')."
    # No system checks: they import the URLconf and with it Keras; this command needs neither.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="a label to tell tokens apart (default: cli)")
        parser.add_argument(
            "--create-user",
            action="store_true",
            help="create the user (with an unusable password) if it does not exist",
        )

    def handle(self, *args, username, name, create_user, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            if not create_user:
                raise CommandError(f"no user named {username!r} (add --create-user to make one)") from None
            user = User._default_manager.create_user(username=username)
        _, raw = ApiToken.objects.issue(user, name)
        self.stdout.write(raw)
