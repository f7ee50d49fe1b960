// No console window on Windows release builds; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod commands_reports;
mod state;
mod webview;

use tauri::Manager;

fn main() {
    // Opening (and on first launch seeding) happens before the window exists, so the first
    // screen already has data; a failure is kept and shown by the UI instead of aborting.
    let app_state = state::AppState::open(beian::location::current());
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(app_state)
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                webview::configure(&window);
            }
            // While WebKit starts (a few hundred ms), on the other core.
            let handle = app.handle().clone();
            std::thread::spawn(move || handle.state::<state::AppState>().prepare_first_screen());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::regions,
            commands::list_filings,
            commands::filing_facets,
            commands::filing_detail,
            commands::list_batches,
            commands::batch_changes,
            commands::check_number,
            commands::add_filing,
            commands::edit_filing,
            commands::plan_import_path,
            commands::apply_import,
            commands::cancel_import,
            commands::backup_to,
            commands::restore_from,
            commands::use_database,
            commands::first_paint,
            commands::app_ready,
            commands_reports::dashboard,
            commands_reports::company_names,
            commands_reports::subsidy_rules,
            commands_reports::validate_rule,
            commands_reports::save_rule,
            commands_reports::set_rule_enabled,
            commands_reports::company_facts,
            commands_reports::set_company_facts,
            commands_reports::evaluate_subsidies,
            commands_reports::pdf_font,
            commands_reports::export_report,
            commands_reports::cancel_export,
            commands_reports::save_chart_png,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Beian app");
}
