"""Management commands that change data act in an audit context: the command and who ran it."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from .audit_context import audit_context, user_metadata


class AuditedCommand(BaseCommand):
    """A command whose changes are attributed to it (and to ``--user``, if given).

    The operating-system account that ran it is always recorded; ``--user`` names the person
    on whose behalf it runs (commands that check permissions act as that user).
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        self._audit_name = subcommand
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--user",
            dest="audit_user",
            help="username of the person this is run for (recorded in the audit trail)",
        )
        return parser

    def run_from_argv(self, argv):
        self._argv = argv
        return super().run_from_argv(argv)

    def execute(self, *args, **options):
        username = options.get("audit_user")
        self.audit_user = None
        if username:
            self.audit_user = get_user_model().objects.filter(username=username).first()
            if self.audit_user is None:
                raise CommandError(f"No user is called “{username}”.")
        metadata = {
            "command": getattr(self, "_audit_name", None) or self.__module__.rsplit(".", 1)[-1],
            "os_user": getpass.getuser(),
            **user_metadata(self.audit_user),
        }
        if getattr(self, "_argv", None):  # run from the shell (not call_command)
            metadata["argv"] = " ".join(self._argv[1:])[:500]
        with audit_context(**metadata):
            return super().execute(*args, **options)
