//! The Holdfast desktop app: a Tauri window over the `holdfast` core. Every command here is
//! a thin adapter: it takes the open archive, calls one function of `holdfast::api` on a
//! blocking thread, and maps its error to `{code, message}`. No business logic lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

fn main() {
    holdfast::tune_allocator();
    let state = commands::AppState::from_env().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    tauri::Builder::default()
        .manage(state)
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            commands::archive_status,
            commands::create_archive,
            commands::unlock,
            commands::unlock_with_keychain,
            commands::lock,
            commands::stats,
            commands::list_conversations,
            commands::show_conversation,
            commands::import_paths,
            commands::search,
            commands::show_context,
            commands::tag_conversation,
            commands::untag_conversation,
            commands::list_policies,
            commands::list_holds,
            commands::disposal_due,
            commands::list_certificates,
            commands::audit_log,
            commands::audit_verify,
            commands::list_cases,
            commands::new_case,
            commands::keychain_remember,
            commands::keychain_forget,
            commands::change_passphrase,
            commands::show_case,
            commands::add_case_scope,
            commands::review_progress,
            commands::review_items,
            commands::review_mark,
            commands::list_redactions,
            commands::redact,
            commands::suggest_redactions,
            commands::decide_redactions,
            commands::export_case,
            commands::add_policy,
            commands::dispose_now,
            commands::explain_message,
            commands::messages_by_month,
            commands::tag_messages,
            commands::untag_messages,
            commands::add_hold,
            commands::release_hold,
            commands::audit_search,
            commands::save_attachment,
            commands::pick_exports,
            commands::keep_review,
            commands::storage_used,
        ])
        .register_asynchronous_uri_scheme_protocol("attachment", |ctx, request, responder| {
            commands::serve_attachment(ctx.app_handle(), request, responder)
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("error: the window could not start: {e}");
            std::process::exit(1);
        });
}
