from django.urls import path

from . import (
    dataset_actions,
    dataset_editions,
    dataset_lines,
    datasets,
    declarations,
    exports,
    import_files,
    imports,
    notifications,
    return_checks,
    return_lines,
    returns,
    rules,
    transfers,
)

EDITION = "datasets/editions/<int:pk>/"

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/read/", notifications.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
    path("spend-returns/", returns.spend_return_list_view, name="spend-return-list"),
    path("spend-returns/new/", returns.spend_return_create_view, name="spend-return-create"),
    path("spend-returns/<int:pk>/", returns.spend_return_detail, name="spend-return-detail"),
    path(
        "spend-returns/<int:pk>/lines/",
        return_lines.spend_return_lines_view,
        name="spend-return-lines",
    ),
    path(
        "spend-returns/<int:pk>/lines/download/",
        exports.spend_return_lines_download,
        name="spend-return-lines-download",
    ),
    path(
        "spend-returns/<int:pk>/apply-theme-rules/",
        return_lines.spend_return_apply_theme_rules,
        name="spend-return-apply-theme-rules",
    ),
    path(
        "spend-returns/<int:pk>/accruals/",
        return_checks.spend_return_accruals,
        name="spend-return-accruals",
    ),
    path("spend-returns/<int:pk>/import/", imports.spend_return_import, name="spend-return-import"),
    # The import page's old address: a permanent redirect (GET 301, POST 308).
    path(
        "spend-returns/<int:pk>/upload/",
        imports.spend_return_upload_moved,
        name="spend-return-upload-moved",
    ),
    path(
        "spend-returns/<int:pk>/submit/",
        returns.spend_return_submit_view,
        name="spend-return-submit",
    ),
    path(
        "spend-returns/<int:pk>/approve/",
        returns.spend_return_approve_view,
        name="spend-return-approve",
    ),
    path(
        "spend-returns/<int:pk>/send-back/",
        returns.spend_return_send_back_view,
        name="spend-return-send-back",
    ),
    path(
        "spend-returns/<int:pk>/new-version/",
        returns.spend_return_new_version_view,
        name="spend-return-new-version",
    ),
    path(
        "spend-returns/<int:pk>/control-total/",
        declarations.spend_return_control_total_view,
        name="spend-return-control-total",
    ),
    path(
        "spend-returns/<int:pk>/months/",
        declarations.spend_return_months_view,
        name="spend-return-months",
    ),
    path(
        "spend-returns/<int:pk>/discard/",
        returns.spend_return_discard_view,
        name="spend-return-discard",
    ),
    path("theme-rules/", rules.theme_rule_list, name="theme-rule-list"),
    path("transfers/", transfers.supplier_match_list, name="supplier-match-list"),
    path(
        "transfers/<int:pk>/decide/",
        transfers.supplier_match_decide_view,
        name="supplier-match-decide",
    ),
    path(
        "theme-rules/<int:pk>/delete/",
        rules.theme_rule_delete_view,
        name="theme-rule-delete",
    ),
    path("exports/<uuid:pk>/", exports.export_job_detail, name="export-job-detail"),
    path("exports/<uuid:pk>/status/", exports.export_job_status, name="export-job-status"),
    path("exports/<uuid:pk>/download/", exports.export_job_download, name="export-job-download"),
    path("imports/<int:pk>/", imports.import_job_detail, name="import-job-detail"),
    path("imports/<int:pk>/status/", imports.import_job_status, name="import-job-status"),
    path("imports/<int:pk>/mapping/", imports.import_job_mapping, name="import-job-mapping"),
    path("imports/<int:pk>/confirm/", imports.import_job_confirm_view, name="import-job-confirm"),
    path("imports/<int:pk>/cancel/", imports.import_job_cancel_view, name="import-job-cancel"),
    path("imports/<int:pk>/file/", import_files.import_job_file, name="import-job-file"),
    path(
        "imports/<int:pk>/corrections/",
        imports.import_job_corrections_view,
        name="import-job-corrections",
    ),
    path("datasets/", datasets.dataset_list, name="dataset-list"),
    path("datasets/new/", datasets.dataset_upload, name="dataset-upload"),
    path(EDITION, dataset_editions.dataset_edition_detail, name="dataset-edition-detail"),
    path(
        f"{EDITION}status/", dataset_editions.dataset_edition_status, name="dataset-edition-status"
    ),
    path(
        f"{EDITION}lines/", dataset_lines.dataset_edition_lines_view, name="dataset-edition-lines"
    ),
    path(
        f"{EDITION}choices/",
        dataset_actions.dataset_edition_choose_view,
        name="dataset-edition-choose",
    ),
    path(
        f"{EDITION}exclude/",
        dataset_actions.dataset_edition_exclude,
        name="dataset-edition-exclude",
    ),
    path(
        f"{EDITION}bodies/", dataset_actions.dataset_edition_body_add, name="dataset-edition-body"
    ),
    path(f"{EDITION}places/", dataset_actions.dataset_edition_place, name="dataset-edition-place"),
    path(f"{EDITION}load/", dataset_actions.dataset_edition_load_view, name="dataset-edition-load"),
    path(
        f"{EDITION}approve/",
        dataset_actions.dataset_edition_approve_view,
        name="dataset-edition-approve",
    ),
    path(
        f"{EDITION}send-back/",
        dataset_actions.dataset_edition_send_back_view,
        name="dataset-edition-send-back",
    ),
    path(
        f"{EDITION}cancel/",
        dataset_actions.dataset_edition_cancel_view,
        name="dataset-edition-cancel",
    ),
    path("datasets/figures/<int:pk>/", dataset_lines.dataset_figure_detail, name="dataset-figure"),
]
