//! Checks the architecture invariants that ARCHITECTURE.md states and `cargo metadata` can see:
//! the core and the sync protocol do no IO and link no database or runtime; only the app core
//! uses the store; the server and the devices share only the core and the protocol; the UI
//! never links the store, the app core, rusqlite, tokio or an HTTP client.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

const NATIVE: &str = "x86_64-unknown-linux-gnu";

/// This package's directory, read at run time: a test binary reused from a shared target
/// directory may have been built from another checkout.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}

struct Graph {
    /// package id -> (name, normal dependency ids)
    nodes: BTreeMap<String, (String, Vec<String>)>,
    by_name: BTreeMap<String, String>,
}

/// The dependency graph as resolved for one target platform.
fn graph(platform: &str) -> Graph {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            platform,
        ])
        .current_dir(manifest_dir().join(".."))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: BTreeMap<String, String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut nodes = BTreeMap::new();
    for n in meta["resolve"]["nodes"].as_array().unwrap() {
        let id = n["id"].as_str().unwrap().to_string();
        let deps = n["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null())
            })
            .map(|d| d["pkg"].as_str().unwrap().to_string())
            .collect();
        nodes.insert(id.clone(), (names[&id].clone(), deps));
    }
    let by_name = names
        .iter()
        .map(|(id, name)| (name.clone(), id.clone()))
        .collect();
    Graph { nodes, by_name }
}

impl Graph {
    /// Names of everything `name` links, directly or not (normal dependencies only).
    fn closure(&self, name: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![self.by_name[name].clone()];
        while let Some(id) = stack.pop() {
            for d in &self.nodes[&id].1 {
                if seen.insert(self.nodes[d].0.clone()) {
                    stack.push(d.clone());
                }
            }
        }
        seen
    }

    fn direct(&self, name: &str) -> BTreeSet<String> {
        self.nodes[&self.by_name[name]]
            .1
            .iter()
            .map(|d| self.nodes[d].0.clone())
            .collect()
    }
}

#[test]
fn the_core_and_protocol_link_no_database_runtime_or_network() {
    let g = graph(NATIVE);
    for krate in ["onward-core", "onward-sync"] {
        let closure = g.closure(krate);
        for banned in [
            "rusqlite",
            "libsqlite3-sys",
            "tokio",
            "mio",
            "hyper",
            "reqwest",
            "ureq",
            "tauri",
            "onward-store",
            "onward-app",
            "onward-server",
        ] {
            assert!(
                !closure.contains(banned),
                "{krate} must not depend on {banned}"
            );
        }
    }
}

#[test]
fn the_server_and_the_devices_share_only_the_core_and_protocol() {
    let g = graph(NATIVE);
    let server = g.closure("onward-server");
    for banned in ["onward-store", "onward-app", "onward-api", "tauri"] {
        assert!(
            !server.contains(banned),
            "onward-server must not depend on {banned}"
        );
    }
    let app = g.closure("onward-app");
    for banned in ["onward-server", "tokio", "axum"] {
        assert!(
            !app.contains(banned),
            "onward-app must not depend on {banned}"
        );
    }
}

#[test]
fn only_the_app_core_uses_the_store() {
    let g = graph(NATIVE);
    let users: BTreeSet<String> = g
        .nodes
        .values()
        .filter(|(name, _)| name.starts_with("onward") || name == "xtask")
        .filter(|(name, _)| g.direct(name).contains("onward-store"))
        .map(|(name, _)| name.clone())
        .collect();
    // The workspace tests also open stores directly, to check files the app wrote.
    let allowed: BTreeSet<String> = ["onward-app", "onward-tests"].map(String::from).into();
    assert!(
        users.is_subset(&allowed),
        "only onward-app may depend on onward-store; found {users:?}"
    );
}

#[test]
fn the_ui_never_links_the_store_or_a_runtime() {
    let g = graph("wasm32-unknown-unknown");
    let ui = g.closure("onward-ui");
    for banned in [
        "onward-store",
        "onward-app",
        "rusqlite",
        "libsqlite3-sys",
        "tokio",
        "ureq",
        "onward-server",
    ] {
        assert!(
            !ui.contains(banned),
            "onward-ui must not depend on {banned}"
        );
    }
    assert!(
        ui.contains("onward-api"),
        "the UI talks to the app through onward-api"
    );
}

#[test]
fn the_core_and_protocol_source_does_no_io() {
    let root = manifest_dir().join("../crates");
    let mut stack = vec![root.join("onward-core/src"), root.join("onward-sync/src")];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for banned in [
            "std::fs",
            "std::net",
            "std::process",
            "std::thread",
            "std::env",
            "println!",
            "eprintln!",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: the core and the protocol do no IO",
                p.display()
            );
        }
    }
}

/// The UI's Rust sources but `except` (a file name in `src-ui/src`), with their text.
fn ui_sources(except: &str) -> Vec<(std::path::PathBuf, String)> {
    let src = manifest_dir().join("../src-ui/src");
    let mut stack = vec![src.clone()];
    let mut out = Vec::new();
    while let Some(p) = stack.pop() {
        for entry in std::fs::read_dir(&p).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && path != src.join(except) {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    assert!(out.len() > 3, "the UI's sources were found");
    out
}

#[test]
fn the_ui_reaches_the_app_only_through_its_api_module() {
    for (path, text) in ui_sources("api.rs") {
        for banned in [
            "fetch_with",
            "__TAURI__",
            "web_sys::Request",
            "XmlHttpRequest",
            "WebSocket",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: the UI talks to the app only through api.rs",
                path.display()
            );
        }
    }
}

/// String literals on one line of Rust source (escapes kept as written), but for CSS class
/// names (`class="card goal"`).
fn literals(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (start, c) {
            (None, '"') => start = Some(i + 1),
            (Some(_), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(s), '"') if !escaped => {
                if !line[..s - 1].ends_with("class=") {
                    out.push(&line[s..i]);
                }
                start = None;
            }
            _ => {}
        }
        escaped = false;
    }
    out
}

/// Whether a literal reads as words for a person: two words, or a capitalised word.
fn is_wording(s: &str) -> bool {
    if s.contains('%') || s.contains('{') {
        // Date formats and format strings of ids and addresses.
        return s.split(['{', '}']).any(|part| {
            part.split_whitespace()
                .filter(|w| w.chars().all(|c| c.is_alphabetic()))
                .count()
                >= 2
        });
    }
    let words = s
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphabetic()))
        .count();
    let mut chars = s.chars();
    let capitalised = matches!((chars.next(), chars.next()), (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase());
    words >= 2 || capitalised
}

#[test]
fn every_word_the_ui_shows_lives_in_its_text_module() {
    let mut found = Vec::new();
    for (path, text) in ui_sources("text.rs") {
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for lit in literals(line).into_iter().filter(|l| is_wording(l)) {
                found.push(format!("{}:{}: \"{lit}\"", path.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "words shown to people belong in src-ui/src/text.rs (one place per language):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_wording_check_tells_words_from_codes() {
    assert_eq!(
        literals(r#"<p class="card goal">x("Save goal", "f-{id}", "say \"hi\" now")"#),
        vec!["Save goal", "f-{id}", r#"say \"hi\" now"#]
    );
    for words in [
        "Save goal",
        "Synced.",
        "the goal, in their words",
        "Signed in as {name}.",
    ] {
        assert!(is_wording(words), "{words}");
    }
    for code in [
        "f-{id}",
        "%-d %b %Y",
        "onward-start",
        "true",
        "participant/{p}/{}",
        "18px",
        "page",
    ] {
        assert!(!is_wording(code), "{code}");
    }
}

/// Every Rust source file under `dir`.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    let mut out = Vec::new();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// Where a role may be named outside `onward-core`: where accounts are set up with a role
/// (the server's admin commands and demo), and the UI's words for each role. Nothing else
/// decides by role; it asks `onward_core::policy`.
const ROLES_NAMED_IN: &[&str] = &[
    "crates/onward-server/src/admin.rs",
    "crates/onward-server/src/main.rs",
    "src-ui/src/text.rs",
];

#[test]
fn what_people_may_do_is_decided_only_by_the_core_policy() {
    let root = manifest_dir().join("..");
    let mut offenders = Vec::new();
    for dir in ["crates", "src-ui/src", "src-tauri/src"] {
        for path in rust_files(&root.join(dir)) {
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let is_test = rel.contains("/tests/") || rel.contains("/benches/");
            if rel.starts_with("crates/onward-core/")
                || is_test
                || ROLES_NAMED_IN.contains(&rel.as_str())
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests at the end of a file may set up people of each role.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                let l = line.trim_start();
                if l.starts_with("//") {
                    continue;
                }
                for role in ["Coordinator", "Mentor", "PeerMentor", "Participant"] {
                    if l.contains(&format!("Role::{role}")) {
                        offenders.push(format!("{rel}:{}: {}", n + 1, l));
                    }
                }
                if l.contains(".role ==") || l.contains(".role !=") || l.contains("OPERATIONS") {
                    offenders.push(format!("{rel}:{}: {}", n + 1, l));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "decide with onward_core::policy (an Operation's permits, an Access, a Holding), not by comparing roles:\n{}",
        offenders.join("\n")
    );
}
