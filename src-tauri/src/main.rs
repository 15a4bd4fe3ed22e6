//! Desktop entry point for the Onward app window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    onward_tauri_lib::run();
}
