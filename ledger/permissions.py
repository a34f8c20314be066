"""Who may do what in the ledger: predicates and permissions, defined once.

Pages (``totalplace.permissions.permission_required``), API permission classes and the
services all ask these rules; selectors decide what each user may *see* in lists and by id.

Roles:
- **finance officer** (``Membership``): prepares its organisation's returns: opens drafts,
  enters and imports lines, submits, starts new versions, keeps its theme rules;
- **approver** (``Membership``): signs off or sends back its organisation's submitted returns,
  never one it submitted itself, and never approves a version it prepared (created, entered,
  changed or imported lines into: ``ledger.selectors.preparers.spend_return_author_ids``);
- **analyst** (the "Analysts" group): everything public, plus line-level downloads and large
  Fiscal Data Package export jobs;
- **dataset editor** (the "Dataset editors" group, staff and admins): uploads, loads and
  approves national datasets (never an edition they uploaded or loaded themselves);
- **admin** (active superuser): acts for every organisation (still never approving its own
  submission), and everything in the admin site.
An API token acts only for its own organisation
(``ledger.selectors.access.acting_organisation_ids``).
Members get tokens for their organisations; analysts, dataset editors, admins and pilot leads
(``pilots/permissions.py`` adds them) may also get a token for no organisation.
"""

import rules

from ledger.models import (
    DatasetEditionStatus,
    ImportJob,
    Organisation,
    Role,
    SpendReturn,
    SpendReturnStatus,
)
from ledger.selectors.access import acting_organisation_ids
from ledger.selectors.preparers import spend_return_author_ids

ANALYSTS_GROUP = "Analysts"
DATASET_EDITORS_GROUP = "Dataset editors"


def _organisation_id(obj) -> int | None:
    if obj is None or isinstance(obj, int):
        return obj
    if isinstance(obj, Organisation):
        return obj.pk
    return obj.organisation_id  # a spend return, import job or theme rule


def _spend_return(obj):
    return obj.spend_return if isinstance(obj, ImportJob) else obj


@rules.predicate
def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


is_analyst = rules.is_group_member(ANALYSTS_GROUP)


@rules.predicate
def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


is_dataset_editor = rules.is_group_member(DATASET_EDITORS_GROUP) | is_staff | is_admin


def _acts_as(role: str | None, name: str):
    """For an object: the user acts in ``role`` for its organisation. Without one: for any."""

    def acts(user, obj=None) -> bool:
        acting = acting_organisation_ids(user=user, role=role)
        if acting is None:
            return True
        organisation_id = _organisation_id(obj)
        return bool(acting) if organisation_id is None else organisation_id in acting

    return rules.predicate(acts, name=name)


is_finance_officer = _acts_as(Role.FINANCE_OFFICER, "is_finance_officer")
is_approver = _acts_as(Role.APPROVER, "is_approver")
is_member = _acts_as(None, "is_member")


@rules.predicate
def is_public(user, obj) -> bool:
    return obj is not None and obj.status in SpendReturnStatus.public()


@rules.predicate
def is_editable(user, obj) -> bool:
    """A draft or sent-back version (for an import job: of the return it imports into)."""
    return obj is not None and _spend_return(obj).status in SpendReturnStatus.editable()


@rules.predicate
def is_spend_return(user, obj) -> bool:
    return isinstance(obj, SpendReturn)


@rules.predicate
def is_submitted(user, obj) -> bool:
    return obj is not None and obj.status == SpendReturnStatus.SUBMITTED


@rules.predicate
def submitted_by_user(user, obj) -> bool:
    return obj is not None and obj.submitted_by_id is not None and obj.submitted_by_id == user.pk


@rules.predicate
def prepared_by_user(user, obj) -> bool:
    """Created, edited, imported into or submitted this version (one read of its trail)."""
    return obj is not None and user.pk in spend_return_author_ids(spend_return=obj)


@rules.predicate
def is_unsubmitted_draft(user, obj) -> bool:
    return obj is not None and obj.status == SpendReturnStatus.DRAFT and not obj.submitted_at


@rules.predicate
def created_by_user(user, obj) -> bool:
    return obj is not None and obj.created_by_id is not None and obj.created_by_id == user.pk


# Role-level (the object is the organisation, or anything of it; none: any organisation).
rules.add_perm("ledger.prepare_returns", is_finance_officer)
rules.add_perm("ledger.see_drafts", is_member)

# Spend returns.
rules.add_perm("ledger.view_spend_return", is_public | is_member)
# Its whole audit trail (who, line by line, the files and their messages): the organisation's
# people and staff. Everyone else who sees the return sees its status changes, without names.
rules.add_perm("ledger.view_spend_return_trail", is_member | is_staff | is_admin)
rules.add_perm("ledger.edit_spend_return", is_finance_officer & is_editable)
rules.add_perm("ledger.submit_spend_return", is_finance_officer & is_editable)
rules.add_perm("ledger.start_spend_return_version", is_finance_officer)
rules.add_perm("ledger.discard_spend_return", is_finance_officer & is_unsubmitted_draft)
# Approving, one permission for the role and the act. Asked of an organisation (or nothing:
# any organisation) it is the approver's role, which pages and the API check first to refuse
# with "only approvers"; asked of a spend return it is the act itself. Separation of duties:
# whoever prepared a version (created it, entered, changed or imported its lines, submitted
# it) never signs it off; whoever submitted it never sends it back either. The author check
# comes last: it reads the trail, and only for an approver of a submitted one.
rules.add_perm(
    "ledger.approve_spend_return",
    is_approver & (~is_spend_return | (is_submitted & ~prepared_by_user)),
)
rules.add_perm("ledger.send_back_spend_return", is_approver & is_submitted & ~submitted_by_user)

# Imports and theme rules.
rules.add_perm("ledger.view_import_job", is_member)
# An uploaded file may hold what the organisation never published: its people only.
rules.add_perm("ledger.download_import_file", is_member)
rules.add_perm("ledger.change_import_job", is_finance_officer & is_editable)
rules.add_perm("ledger.manage_theme_rules", is_finance_officer)

# Analysts: line-level downloads and large export jobs (everyone reads approved data).
rules.add_perm("ledger.download_lines", is_analyst | is_admin)
# API tokens acting for no organisation: for the roles whose work is not an organisation's.
works_without_organisation = is_analyst | is_dataset_editor
rules.add_perm("ledger.create_api_token_without_organisation", works_without_organisation)
# A return's own lines: also its organisation's people, who entered or sign them off.
rules.add_perm("ledger.download_spend_return_lines", is_member | is_analyst | is_admin)
rules.add_perm("ledger.queue_export", is_analyst | is_admin)
rules.add_perm("ledger.view_export_job", created_by_user | is_admin)


# National datasets: public once approved; their editors load them, and another editor approves.
@rules.predicate
def is_approved_edition(user, obj) -> bool:
    return obj is not None and obj.status == DatasetEditionStatus.APPROVED


@rules.predicate
def is_loaded_edition(user, obj) -> bool:
    return obj is not None and obj.status == DatasetEditionStatus.LOADED


@rules.predicate
def uploaded_or_loaded_by_user(user, obj) -> bool:
    return obj is not None and user.pk in (obj.created_by_id, obj.loaded_by_id)


rules.add_perm("ledger.load_datasets", is_dataset_editor)
rules.add_perm("ledger.view_dataset_edition", is_approved_edition | is_dataset_editor)
rules.add_perm(
    "ledger.approve_dataset_edition",
    is_dataset_editor & is_loaded_edition & ~uploaded_or_loaded_by_user,
)
