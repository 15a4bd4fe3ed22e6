//! Repository automation, so the README's commands work the same on a laptop and in CI:
//! `cargo xtask setup | demo | test | bench | bundle | build-ui`.

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
/// starts its own throwaway cluster on a loopback port), Chromium for the browser end-to-end
/// tests, Xvfb and WebKitWebDriver for driving the real Tauri window, and poppler's
/// `pdftotext` for reading the funder report PDF back.
const APT_TEST: &[&str] = &[
    "postgresql",
    "chromium",
    "poppler-utils",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
];

/// The tauri-driver that drives the Tauri window through WebKitWebDriver.
const TAURI_DRIVER: &str = "2.1.0";

/// Must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
const WASM_BINDGEN: &str = "0.2.130";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("build-ui") => build_ui(&root),
        Some("test") => test(&root),
        Some("demo") => demo(&root, &args[1..]),
        Some("bench") => bench(&root),
        Some("bundle") => bundle(&root),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 setup     install what the build needs (idempotent)\n\
                 demo      run the demo: a device seeded with a synthetic caseload\n\
                 test      run every test (installs what it needs first)\n\
                 bench     print the performance figures\n\
                 bundle    build the Linux app package (.deb) into target/release/bundle\n\
                 build-ui  build the web UI into dist/"
            );
            bail!("no command given")
        }
    }
}

/// The workspace root. Read at run time (`cargo run` sets `CARGO_MANIFEST_DIR`): a binary
/// reused from a shared target directory may have been built from another checkout.
fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
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

/// Installs, once, what the build and tests need beyond the Rust toolchain: every command
/// builds the UI and a shell, so each needs all of it.
fn setup() -> Result<()> {
    let missing: Vec<&str> = APT_CORE
        .iter()
        .chain(APT_SHELL)
        .chain(APT_TEST)
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
    if !answers("tauri-driver", &["--version"], TAURI_DRIVER) {
        run(cargo().args([
            "install",
            &format!("tauri-driver@{TAURI_DRIVER}"),
            "--locked",
        ]))?;
    }
    Ok(())
}

/// Builds the UI to WebAssembly and lays out dist/ (index.html, CSS, the start-up script, JS
/// glue, wasm).
fn build_ui(root: &Path) -> Result<()> {
    run(cargo().args([
        "build",
        "--package",
        "onward-ui",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let target = target_dir(root);
    let wasm = target.join("wasm32-unknown-unknown/wasm-release/onward_ui.wasm");
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist)?;
    // Function names are half the module and only help a debugger.
    run(Command::new("wasm-bindgen")
        .arg(&wasm)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
        ])
        .arg(&dist))?;
    // The start-up script is a file, not inline: the shells' CSP forbids inline scripts.
    for f in ["index.html", "app.css", "boot.js"] {
        std::fs::copy(root.join("src-ui/static").join(f), dist.join(f))?;
    }
    Ok(())
}

/// Installs the Node packages pinned by `dir`'s lock file (a few seconds; offline-safe once
/// npm's cache holds them).
fn npm_ci(dir: &Path) -> Result<()> {
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir))
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Everything the README's test command promises.
fn test(root: &Path) -> Result<()> {
    setup()?;
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
    // The PostgreSQL storage tests must run here, not skip: setup installed PostgreSQL.
    run(cargo()
        .args([
            "test",
            "--workspace",
            "--exclude",
            "onward-ui",
            "--exclude",
            "onward-tauri",
        ])
        .env("ONWARD_REQUIRE_POSTGRES", "1"))?;
    end_to_end(root)
}

/// The browser end-to-end tests: playwright-core (from npm, pinned by the lock file) drives
/// Debian's Chromium against the browser shell and the real server. Screenshots land in
/// `target/e2e-artifacts/`.
fn end_to_end(root: &Path) -> Result<()> {
    // The CLI too: the reports test compares the app's CSV download with `onward
    // funder-report --csv` on the same tablet's records.
    run(cargo().args([
        "build",
        "--package",
        "onward-server",
        "--package",
        "onward-browser",
        "--package",
        "onward-cli",
    ]))?;
    let e2e = root.join("tests/e2e");
    npm_ci(&e2e)?;
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/"])
        .current_dir(&e2e)
        .env("ONWARD_BIN_DIR", target_dir(root).join("debug"))
        .env("ONWARD_DIST", root.join("dist"))
        .env("ONWARD_ARTIFACTS", root.join("target/e2e-artifacts")))
}

/// The demo: the sync server on embedded SQLite with a synthetic demo organisation, a
/// mentor's tablet enrolled with it and synced, and the app: the Tauri window where there is
/// a display, otherwise the browser shell with its address printed. Runs until Ctrl-C
/// (`--no-wait`: stop once everything has started); `--fresh` starts again from nothing;
/// `--browser` uses the browser shell even where there is a display.
fn demo(root: &Path, args: &[String]) -> Result<()> {
    let flag = |f: &str| args.iter().any(|a| a == f);
    let window = std::env::var_os("DISPLAY").is_some() && !flag("--browser");
    setup()?;
    build_ui(root)?;
    let mut build = cargo();
    build.args([
        "build",
        "--package",
        "onward-cli",
        "--package",
        "onward-server",
    ]);
    build.args([
        "--package",
        if window {
            "onward-tauri"
        } else {
            "onward-browser"
        },
    ]);
    run(&mut build)?;
    let bin = target_dir(root).join("debug");
    let dir = root.join("target/demo");
    if flag("--fresh") && dir.exists() {
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
        let mut c = Command::new(bin.join("onward-server"));
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
    let mut children = vec![
        server(&["serve"])
            .spawn()
            .context("could not start onward-server")?,
    ];
    let tablet = dir.join("tablet");
    let result = enrol_demo_tablet(&bin.join("onward"), &tablet, &url, port).and_then(|_| {
        let app = if window {
            Command::new(bin.join("onward-app"))
                .env("ONWARD_DATA", &tablet)
                .spawn()
                .context("could not open the app window")?
        } else {
            let mut shell = Command::new(bin.join("onward-browser"))
                .arg("--data")
                .arg(&tablet)
                .arg("--dist")
                .arg(root.join("dist"))
                .arg("--listen")
                .arg(format!("127.0.0.1:{}", free_port(8760)?))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .context("could not start the browser shell")?;
            let mut line = String::new();
            if let Some(out) = shell.stdout.take() {
                use std::io::BufRead;
                std::io::BufReader::new(out).read_line(&mut line)?;
            }
            // "Onward is running at http://127.0.0.1:PORT/?key=KEY": the key is new every
            // start, and only a page opened with it can use the shell.
            print!("\n{line}");
            println!("Open that whole address (with its key) in a browser on this computer.");
            shell
        };
        children.push(app);
        Ok(())
    });
    println!(
        "\nThe sync server is at {url} with the synthetic demo organisation.\n\
         The demo tablet is signed in as mentor1 (Demo Mentor Amira); its profile is in {}.\n\
         To set up another tablet, use the server address above with one of these usernames\n\
         and the password 'onward-demo': coordinator, mentor1 (cleared), mentor2, peer-mentor.",
        tablet.display()
    );
    if result.is_ok() && !flag("--no-wait") {
        println!("Press Ctrl-C to stop.");
        // The app (window or shell) ends the demo when it closes.
        if let Some(app) = children.get_mut(1) {
            app.wait()?;
        }
    }
    for c in &mut children {
        let _ = c.kill();
        let _ = c.wait();
    }
    result
}

/// Enrols the demo mentor's tablet profile (once) through the CLI, so the app opens signed
/// in, and syncs it.
fn enrol_demo_tablet(onward: &Path, data: &Path, url: &str, port: u16) -> Result<()> {
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
    // The same key file the app's host reads.
    let key = data.join("device.key");
    let cli = |extra: &[&str]| {
        let mut c = Command::new(onward);
        c.arg("--data")
            .arg(data)
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
    Ok(())
}

/// `preferred` if nothing listens there, otherwise any free loopback port.
fn free_port(preferred: u16) -> Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", preferred))
        .or_else(|_| std::net::TcpListener::bind(("127.0.0.1", 0)))?;
    Ok(listener.local_addr()?.port())
}

/// Builds the release app and its Linux package (.deb) with the Tauri CLI from npm (pinned
/// by the root package-lock.json). Android and iPad builds use the same shell
/// (`tauri android build`, `tauri ios build`) where those toolchains exist.
fn bundle(root: &Path) -> Result<()> {
    setup()?;
    build_ui(root)?;
    npm_ci(root)?;
    run(Command::new(root.join("node_modules/.bin/tauri"))
        .args(["build", "--bundles", "deb"])
        .current_dir(root.join("src-tauri")))?;
    eprintln!(
        "xtask: the package is in {}",
        target_dir(root).join("release/bundle/deb").display()
    );
    Ok(())
}

/// Prints the device store's figures, the sync figures against the release server (in its
/// own process for the memory figure), then the tablet app's start-up and bundle size in
/// headless Chromium. The 20,000-participant server database is generated once (about two
/// minutes) into the target directory and reused.
fn bench(root: &Path) -> Result<()> {
    setup()?;
    run(cargo().args(["bench", "--package", "onward-app", "--bench", "store"]))?;
    run(cargo().args([
        "build",
        "--release",
        "--package",
        "onward-server",
        "--package",
        "onward-browser",
    ]))?;
    let target = target_dir(root);
    run(cargo()
        .args(["bench", "--package", "onward-tests", "--bench", "sync"])
        .env("ONWARD_SERVER_BIN", target.join("release/onward-server"))
        .env("ONWARD_BENCH_DIR", target.join("bench")))?;
    build_ui(root)?;
    let e2e = root.join("tests/e2e");
    npm_ci(&e2e)?;
    run(Command::new("node")
        .arg("bench/startup.mjs")
        .current_dir(&e2e)
        .env("ONWARD_BIN_DIR", target.join("release"))
        .env("ONWARD_DIST", root.join("dist")))
}
