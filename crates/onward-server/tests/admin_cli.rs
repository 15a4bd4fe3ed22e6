//! The admin commands as the charity's IT volunteer runs them: the real `onward-server` binary
//! on a SQLite file in a temp dir, with `--json` output read back. Expected values are written
//! out by hand.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onward-server"))
        .args(args)
        .env("ONWARD_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("USER", "synthetic-admin")
        .env_remove("SUDO_USER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// Runs a command with `--json` that must succeed; its JSON.
fn json(db: &Path, args: &[&str]) -> Value {
    json_in(db, args, None)
}

fn json_in(db: &Path, args: &[&str], stdin: Option<&str>) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, &all, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn people_can_be_stopped_changed_and_every_change_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    const ORG: &str = "Synthetic Charity";

    json(&db, &["create-org", ORG]);
    let sam = json_in(
        &db,
        &[
            "add-user",
            "--org",
            ORG,
            "--role",
            "peer-mentor",
            "--name",
            "Synthetic Sam",
            "--username",
            "sam.synthetic",
            "--password-stdin",
        ],
        Some("first-synthetic-pass\n"),
    );
    let sam_id = text(&sam["id"]).to_string();
    assert_eq!(sam["role"], "peer-mentor");

    // Codes: shown once, then known by a short id.
    let code = json(&db, &["enrol-code", "--user", &sam_id, "--hours", "2"]);
    let (secret, short) = (text(&code["code"]), text(&code["id"]));
    assert_eq!(secret.len(), 14, "{code}");
    assert_eq!(short.len(), 8, "{code}");
    let listed = json(&db, &["codes", "--user", &sam_id]);
    assert_eq!(listed["codes"].as_array().unwrap().len(), 1);
    assert_eq!(listed["codes"][0]["id"], short);
    assert!(!listed.to_string().contains(secret));
    let by_org = json(&db, &["codes", "--org", ORG]);
    assert_eq!(by_org["codes"][0]["user"], sam_id.as_str());
    assert_eq!(json(&db, &["cancel-code", short])["cancelled"], true);
    assert!(
        json(&db, &["codes", "--org", ORG])["codes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Cancelling it again is refused as invalid (exit code 2), with a JSON error.
    let again = run(&db, &["--json", "cancel-code", short], None);
    assert_eq!(again.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&again.stderr).unwrap();
    assert!(text(&err["error"]).contains("already used, cancelled or expired"));

    // Role and clearance.
    let role = json(
        &db,
        &[
            "set-role",
            "--user",
            &sam_id,
            "--role",
            "mentor",
            "--cleared",
        ],
    );
    assert_eq!(
        (role["role"].clone(), role["cleared"].clone()),
        ("mentor".into(), true.into())
    );
    assert_eq!(
        json(&db, &["set-clearance", "--user", &sam_id, "off"])["cleared"],
        false
    );
    // A peer mentor cannot be cleared.
    json(
        &db,
        &["set-role", "--user", &sam_id, "--role", "peer-mentor"],
    );
    let refused = run(&db, &["set-clearance", "--user", &sam_id, "on"], None);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("peer mentors never"));

    // Password: generated and printed once, or read from standard input.
    let generated = json(&db, &["reset-password", "--user", &sam_id]);
    assert_eq!(text(&generated["password"]).len(), 19);
    let given = json_in(
        &db,
        &["reset-password", "--user", &sam_id, "--password-stdin"],
        Some("second-synthetic-pass\n"),
    );
    assert_eq!(given["password_set"], true);
    assert!(given.get("password").is_none());

    // Disable and enable; the listing shows it.
    let disabled = json(&db, &["disable-user", "--user", &sam_id]);
    assert_eq!(disabled["devices_revoked"], 0);
    let users = json(&db, &["users", "--org", ORG]);
    assert_eq!(users["users"][0]["disabled"], true);
    let plain = run(&db, &["users", "--org", ORG], None);
    assert!(String::from_utf8_lossy(&plain.stdout).contains("disabled"));
    json(&db, &["enable-user", "--user", &sam_id]);
    assert_eq!(
        json(&db, &["users", "--org", ORG])["users"][0]["disabled"],
        false
    );
    assert_eq!(json(&db, &["revoke", "--user", &sam_id])["revoked"], 0);

    // Everything above is in the admin log, with who ran it.
    let log = json(&db, &["admin-log", "--org", ORG]);
    let lines = log["admin_log"].as_array().unwrap();
    let actions: Vec<&str> = lines.iter().map(|l| text(&l["action"])).collect();
    assert_eq!(
        actions,
        [
            "create-org",
            "add-user",
            "enrol-code",
            "cancel-code",
            "set-role",
            "set-clearance",
            "set-role",
            "reset-password",
            "reset-password",
            "disable-user",
            "enable-user",
            "revoke",
        ]
    );
    assert!(lines.iter().all(|l| l["by"] == "synthetic-admin"), "{log}");
    for secret in [
        "Synthetic Sam",
        "sam.synthetic",
        "first-synthetic-pass",
        secret,
    ] {
        assert!(!log.to_string().contains(secret), "{secret}");
    }
    let limited = json(&db, &["admin-log", "--limit", "1"]);
    assert_eq!(limited["admin_log"][0]["action"], "revoke");

    // The database file is the server user's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn every_admin_command_explains_itself_and_print_config_names_trusted_proxies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let help = run(&db, &["--help"], None);
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    for command in [
        "disable-user",
        "enable-user",
        "set-role",
        "set-clearance",
        "reset-password",
        "codes",
        "cancel-code",
        "revoke",
        "admin-log",
    ] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
        let own = run(&db, &[command, "--help"], None);
        assert!(own.status.success(), "{command} --help");
        assert!(!own.stdout.is_empty());
    }
    let config = run(&db, &["print-config"], None);
    let config = String::from_utf8_lossy(&config.stdout);
    assert!(config.contains("trusted_proxies = []"), "{config}");
    assert!(config.contains("ONWARD_TRUSTED_PROXIES"), "{config}");
    // A bad trusted proxy is a settings error, before anything runs.
    let bad = Command::new(env!("CARGO_BIN_EXE_onward-server"))
        .args(["users", "--org", "x"])
        .env("ONWARD_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("ONWARD_TRUSTED_PROXIES", "proxy.example")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr).to_lowercase();
    assert!(said.contains("trusted_proxies"), "{said}");
    assert!(said.contains("not an ip address"), "{said}");
    // revoke needs a device or --user.
    let neither = run(&db, &["revoke"], None);
    assert!(!neither.status.success());
}

#[test]
fn history_and_refusals_show_who_what_and_when_without_contents() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    json(&db, &["seed-demo", "--participants", "2"]);
    let participants = json(&db, &["participants", "--org", "Demo Mentoring Charity"]);
    let first = participants["participants"][0]["id"]
        .as_str()
        .or_else(|| participants["participants"][0].as_str())
        .unwrap()
        .to_string();
    let history = json(&db, &["history", "--participant", &first]);
    let rows = history["history"].as_array().unwrap();
    assert!(!rows.is_empty());
    // The first change of every participant is the Plan's creation; every change has the
    // server's receive time beside the device's own.
    assert_eq!(text(&rows[0]["document"]).rsplit('/').next(), Some("plan"));
    for r in rows {
        assert!(r["received_at"].is_string(), "{r}");
        assert!(r["device_time"].is_string(), "{r}");
    }
    let raw =
        String::from_utf8_lossy(&run(&db, &["history", "--participant", &first], None).stdout)
            .to_string();
    assert!(!raw.contains("Demo"), "history shows no contents: {raw}");
    let refusals = json(&db, &["refusals", "--org", "Demo Mentoring Charity"]);
    assert_eq!(refusals["refusals"], serde_json::json!([]));
    let missing = run(&db, &["refusals", "--org", "No Such Charity"], None);
    assert_eq!(missing.status.code(), Some(4));
}
