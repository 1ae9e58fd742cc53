"""`python manage.py train GRAPH.json --dataset NAME [...]`: trainer.cli in this process (see --help)."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Train a graph document on a dataset in this process; prints the result as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("argv", nargs="*", help="arguments of trainer.cli (see: manage.py train -- --help)")

    def run_from_argv(self, argv):
        # trainer.cli parses its own options (and --help); Django is already set up by manage.py.
        sys.exit(self.train(argv[2:]))

    def handle(self, *args, **options):
        code = self.train(list(options.get("argv") or args))
        if code:
            sys.exit(code)

    @staticmethod
    def train(argv: list[str]) -> int:
        from trainer.cli import main

        if "--max-params" not in argv and getattr(settings, "MAX_TRAIN_PARAMS", None):
            argv = [*argv, "--max-params", str(settings.MAX_TRAIN_PARAMS)]
        return main(argv)
