//! Repository automation, so the README's commands work the same on a laptop and in CI:
//! `cargo xtask setup | demo | test | bench | build-ui`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Debian packages every native build needs (SQLCipher links OpenSSL).
const APT_CORE: &[&str] = &["build-essential", "pkg-config", "file", "libssl-dev"];

/// Debian packages the Tauri shell needs (WebKitGTK and friends).
const APT_SHELL: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
];

/// Debian packages the tests need: PostgreSQL for the server's storage scenario (the test
/// starts its own throwaway cluster on a loopback port).
const APT_TEST: &[&str] = &["postgresql"];

/// Must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
const WASM_BINDGEN: &str = "0.2.130";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("setup") => setup(Needs::Everything),
        Some("build-ui") => build_ui(&root),
        Some("test") => test(&root),
        Some("demo") => demo(&root, &args[1..]),
        Some("bench") => bench(&root),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 setup     install what the build needs (idempotent)\n\
                 demo      run the demo: a device seeded with a synthetic caseload\n\
                 test      run every test (installs what it needs first)\n\
                 bench     print the performance figures\n\
                 build-ui  build the web UI into dist/"
            );
            bail!("no command given")
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command, failing with its name if it fails.
fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn answers(program: &str, args: &[&str], expect: &str) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(expect))
        .unwrap_or(false)
}

/// How much of the toolchain a command needs.
#[derive(PartialEq)]
enum Needs {
    /// The CLI and the libraries: a C compiler and OpenSSL.
    Core,
    /// Also the UI (wasm32, wasm-bindgen) and the Tauri shell (WebKitGTK).
    Everything,
}

/// Installs, once, what the build and tests need beyond the Rust toolchain.
fn setup(needs: Needs) -> Result<()> {
    let (shell, test): (&[&str], &[&str]) = if needs == Needs::Everything {
        (APT_SHELL, APT_TEST)
    } else {
        (&[], &[])
    };
    let missing: Vec<&str> = APT_CORE
        .iter()
        .chain(shell)
        .chain(test)
        .copied()
        .filter(|p| {
            !answers(
                "dpkg-query",
                &["-W", "-f=${Status}", p],
                "install ok installed",
            )
        })
        .collect();
    if !missing.is_empty() {
        eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
        run(Command::new("apt-get").arg("update").arg("-q"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    if !answers(
        "rustup",
        &["target", "list", "--installed"],
        "wasm32-unknown-unknown",
    ) {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if !answers("wasm-bindgen", &["--version"], WASM_BINDGEN) {
        // Not --locked: with it this version fails to resolve (see TOOLCHAIN.md).
        run(cargo().args(["install", &format!("wasm-bindgen-cli@{WASM_BINDGEN}")]))?;
    }
    Ok(())
}

/// Builds the UI to WebAssembly and lays out dist/ (index.html, CSS, JS glue, wasm).
fn build_ui(root: &Path) -> Result<()> {
    run(cargo().args([
        "build",
        "--package",
        "onward-ui",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;
    let target = target_dir(root);
    let wasm = target.join("wasm32-unknown-unknown/release/onward_ui.wasm");
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist)?;
    run(Command::new("wasm-bindgen")
        .arg(&wasm)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&dist))?;
    for f in ["index.html", "app.css"] {
        std::fs::copy(root.join("src-ui/static").join(f), dist.join(f))?;
    }
    Ok(())
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Everything the README's test command promises.
fn test(root: &Path) -> Result<()> {
    setup(Needs::Everything)?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    build_ui(root)?;
    // The Tauri shell embeds dist/, so it builds after the UI.
    run(cargo().args(["build", "--package", "onward-tauri"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--exclude",
        "onward-ui",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "clippy",
        "--package",
        "onward-ui",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "test",
        "--workspace",
        "--exclude",
        "onward-ui",
        "--exclude",
        "onward-tauri",
    ]))?;
    Ok(())
}

/// The demo: a device profile with the synthetic 40-participant caseload, shown through the
/// CLI. (The sync server and the app window join it as they land.)
/// The demo: the sync server on embedded SQLite with a synthetic demo organisation, and a
/// mentor's tablet profile enrolled with it and synced. Keeps the server running until
/// Ctrl-C unless `--no-wait` is given; `--fresh` starts again from nothing.
fn demo(root: &Path, args: &[String]) -> Result<()> {
    setup(Needs::Core)?;
    run(cargo().args([
        "build",
        "--release",
        "--package",
        "onward-cli",
        "--package",
        "onward-server",
    ]))?;
    let bin = target_dir(root).join("release");
    let (onward, server_bin) = (bin.join("onward"), bin.join("onward-server"));
    let dir = root.join("target/demo");
    if args.iter().any(|a| a == "--fresh") && dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;

    // The server keeps its port between runs: the tablet remembers the address.
    let port_file = dir.join("server.port");
    let port: u16 = match std::fs::read_to_string(&port_file) {
        Ok(p) => p
            .trim()
            .parse()
            .context("target/demo/server.port is damaged; run with --fresh")?,
        Err(_) => {
            let port = free_port(8750)?;
            std::fs::write(&port_file, port.to_string())?;
            port
        }
    };
    let url = format!("http://127.0.0.1:{port}");
    let server = |extra: &[&str]| {
        let mut c = Command::new(&server_bin);
        c.args(extra)
            .env(
                "ONWARD_DATABASE_URL",
                format!("sqlite://{}", dir.join("server.db").display()),
            )
            .env("ONWARD_LISTEN", format!("127.0.0.1:{port}"))
            .env("ONWARD_LOG", "warn");
        c
    };
    let seeded = dir.join("server.seeded");
    if !seeded.exists() {
        let _ = std::fs::remove_file(dir.join("server.db"));
        run(&mut server(&["seed-demo"]))?;
        std::fs::write(&seeded, "")?;
    }
    let mut child = server(&["serve"])
        .spawn()
        .context("could not start onward-server")?;
    let result = demo_tablet(&onward, &dir, &url, port, args);
    if result.is_err() || args.iter().any(|a| a == "--no-wait") {
        let _ = child.kill();
        let _ = child.wait();
        return result;
    }
    println!("\nThe sync server is running at {url} (press Ctrl-C to stop it).");
    let status = child.wait()?;
    if !status.success() {
        bail!("onward-server stopped ({status})");
    }
    Ok(())
}

/// Enrols the demo mentor's tablet profile (once), syncs it and shows what it holds.
fn demo_tablet(onward: &Path, dir: &Path, url: &str, port: u16, _args: &[String]) -> Result<()> {
    let mut up = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    if !up {
        bail!("onward-server did not start listening on port {port}");
    }
    let data = dir.join("mentor-tablet");
    let key = dir.join("mentor-tablet.key");
    let cli = |extra: &[&str]| {
        let mut c = Command::new(onward);
        c.arg("--data")
            .arg(&data)
            .arg("--key-file")
            .arg(&key)
            .args(extra);
        c
    };
    if !data.join("onward.db").exists() {
        let mut enrol = cli(&[
            "enrol",
            "--server",
            url,
            "--username",
            "mentor1",
            "--device-name",
            "Demo tablet",
            "--new-key",
        ]);
        enrol.stdin(std::process::Stdio::piped());
        eprintln!("xtask: {enrol:?}");
        let mut child = enrol.spawn().context("could not start onward")?;
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().context("no stdin")?;
            writeln!(stdin, "onward-demo")?;
        }
        if !child.wait()?.success() {
            bail!("the demo tablet could not enrol with the server");
        }
    }
    run(&mut cli(&["sync-now"]))?;
    println!("\n== Today ==");
    run(&mut cli(&["today"]))?;
    println!("\n== Caseload (first lines) ==");
    let out = cli(&["caseload"]).output()?;
    for line in String::from_utf8_lossy(&out.stdout).lines().take(24) {
        println!("{line}");
    }
    println!("\n== Sync status ==");
    run(&mut cli(&["get-sync-status"]))?;
    println!(
        "\nDemo sign-ins (password 'onward-demo'): coordinator, mentor1 (cleared), mentor2, peer-mentor.\n\
         The demo tablet is mentor1's, in {} (encrypted; key in {}).\n\
         Try: {} --data {} --key-file {} --help",
        data.display(),
        key.display(),
        onward.display(),
        data.display(),
        key.display()
    );
    Ok(())
}

/// `preferred` if nothing listens there, otherwise any free loopback port.
fn free_port(preferred: u16) -> Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", preferred))
        .or_else(|_| std::net::TcpListener::bind(("127.0.0.1", 0)))?;
    Ok(listener.local_addr()?.port())
}

/// Prints the device store's figures, then the sync figures against the release server
/// (in its own process for the memory figure). The 20,000-participant server database is
/// generated once (about five minutes) into the target directory and reused.
fn bench(root: &Path) -> Result<()> {
    setup(Needs::Core)?;
    run(cargo().args(["bench", "--package", "onward-app", "--bench", "store"]))?;
    run(cargo().args(["build", "--release", "--package", "onward-server"]))?;
    let target = target_dir(root);
    run(cargo()
        .args(["bench", "--package", "onward-tests", "--bench", "sync"])
        .env("ONWARD_SERVER_BIN", target.join("release/onward-server"))
        .env("ONWARD_BENCH_DIR", target.join("bench")))
}
