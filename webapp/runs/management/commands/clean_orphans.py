"""manage.py clean_orphans: delete the stored files that no run or dataset owns any more."""

from django.core.management.base import BaseCommand

from webapp.files import remove_orphans


class Command(BaseCommand):
    help = (
        "Delete files in the media storage that no row owns: run folders of deleted runs, dataset and model files "
        "of deleted uploads (files younger than --min-age seconds are left alone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the orphans, delete nothing")
        parser.add_argument(
            "--min-age", type=float, default=600.0, help="only files older than this many seconds (default 600)"
        )

    def handle(self, *args, dry_run=False, min_age=600.0, **options):
        names = remove_orphans(min_age=min_age, dry_run=dry_run)
        for name in names:
            self.stdout.write(("would delete " if dry_run else "deleted ") + name)
        self.stdout.write(f"{len(names)} orphan file(s) {'found' if dry_run else 'deleted'}")
