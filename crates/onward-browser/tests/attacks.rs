//! The browser shell attacked from outside: the real `onward-browser` binary on a loopback
//! port, and raw HTTP requests such as another local process, a page on another site, a page
//! on another port of this computer or a DNS-rebinding page would send. Every expected status
//! is written out by hand; after the attacks, the profile is checked to be unchanged.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use onward_api::Identity;
use onward_api::ids::{DeviceId, UserId};
use onward_api::vocab::Role;
use onward_app::App;
use onward_app::host::{KEY_FILE, create_key_file};

/// A running `onward-browser` and what it printed.
struct Shell {
    child: Child,
    port: u16,
    key: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the shell on a fresh data directory (with a mentor's profile if `profile`) and a
/// one-page UI.
fn shell(profile: bool) -> Shell {
    let data = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Onward</title>",
    )
    .unwrap();
    if profile {
        create_profile(data.path());
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_onward-browser"))
        .arg("--data")
        .arg(data.path())
        .arg("--dist")
        .arg(dist.path())
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "Onward is running at http://127.0.0.1:PORT/?key=KEY"
    let address = line
        .trim()
        .strip_prefix("Onward is running at http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    let (port, key) = address.split_once("/?key=").unwrap();
    Shell {
        child,
        port: port.parse().unwrap(),
        key: key.to_string(),
        _dirs: (data, dist),
    }
}

fn create_profile(dir: &Path) {
    let key = create_key_file(&dir.join(KEY_FILE)).unwrap();
    let me = Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role: Role::Mentor,
        display_name: "Test mentor".into(),
        cleared: true,
    };
    drop(App::create(dir, &key, me).unwrap());
}

/// An answer, as read off the socket.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Shell {
    /// A raw HTTP/1.1 request. `Host` is this shell's unless `headers` gives one.
    fn send(&self, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> Reply {
        let mut request = format!("{method} {path} HTTP/1.1\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            request.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
        let mut socket = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        socket.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        socket.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {raw:?}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// The cookie the landing address sets.
    fn cookie(&self) -> (&'static str, String) {
        ("Cookie", format!("onward-key-{}={}", self.port, self.key))
    }

    fn origin(&self) -> (&'static str, String) {
        ("Origin", format!("http://127.0.0.1:{}", self.port))
    }

    /// What the shell's own page sends with a call.
    fn honest(&self) -> Vec<(&'static str, String)> {
        vec![
            self.cookie(),
            self.origin(),
            ("Sec-Fetch-Site", "same-origin".into()),
            ("Content-Type", "application/json".into()),
        ]
    }

    /// The shell's own page calling `name`.
    fn call(&self, name: &str, body: &str) -> Reply {
        self.send("POST", &format!("/api/call/{name}"), &self.honest(), body)
    }
}

fn h(name: &'static str, value: &str) -> (&'static str, String) {
    (name, value.to_string())
}

/// One request and the status it must get.
struct Case {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    status: u16,
}

/// An enrolment with a server the attacker chose, as a cross-site `text/plain` form could send.
const ENROL: &str =
    r#"{"server":"http://127.0.0.1:9","code":"ABCD-EFGH-JKLM","device_name":"Attacker"}"#;

/// A new participant (synthetic).
const NEW_PARTICIPANT: &str =
    r#"{"preferred_name":"Test Person","programme":"Next Steps","pathways":[]}"#;

fn run(s: &Shell, body: &str, cases: &[Case]) {
    for c in cases {
        let reply = s.send(c.method, c.path, &c.headers, body);
        assert_eq!(reply.status, c.status, "{}: {reply:?}", c.what);
        if c.path.starts_with("/api/") && (400..500).contains(&c.status) {
            let error: onward_api::ApiError = serde_json::from_str(&reply.body)
                .unwrap_or_else(|e| panic!("{}: not an ApiError ({e}): {reply:?}", c.what));
            assert!(!error.message.is_empty(), "{}", c.what);
            assert!(!reply.body.contains(&s.key), "{}: the key leaked", c.what);
        }
    }
}

/// The attacks any shell must refuse, against `path` (a call that changes data).
fn attacks(s: &Shell, path: &'static str) -> Vec<Case> {
    let json = || h("Content-Type", "application/json");
    let other_port = format!("http://127.0.0.1:{}", s.port.wrapping_add(1).max(1));
    vec![
        Case {
            what: "no key (another local process, plain curl)",
            method: "POST",
            path,
            headers: vec![json()],
            status: 401,
        },
        Case {
            what: "wrong key in the cookie",
            method: "POST",
            path,
            headers: vec![
                h(
                    "Cookie",
                    &format!("onward-key-{}={}", s.port, "0".repeat(64)),
                ),
                s.origin(),
                json(),
            ],
            status: 401,
        },
        Case {
            what: "wrong key in the header",
            method: "POST",
            path,
            headers: vec![h("x-onward-key", &"f".repeat(64)), json()],
            status: 401,
        },
        Case {
            what: "a prefix of the key",
            method: "POST",
            path,
            headers: vec![h("x-onward-key", &s.key[..32]), json()],
            status: 401,
        },
        Case {
            what: "the right key under another shell's cookie name",
            method: "POST",
            path,
            headers: vec![
                h("Cookie", &format!("onward-key-1={}", s.key)),
                s.origin(),
                json(),
            ],
            status: 401,
        },
        Case {
            what: "the key in the query string of an API call",
            method: "POST",
            path: if path.ends_with("enrol") {
                "/api/call/enrol?key=x"
            } else {
                "/api/call/create_participant?key=x"
            },
            headers: vec![json()],
            status: 401,
        },
        Case {
            what: "right cookie, but a page on another site",
            method: "POST",
            path,
            headers: vec![
                s.cookie(),
                h("Origin", "http://evil.example"),
                h("Sec-Fetch-Site", "cross-site"),
                json(),
            ],
            status: 403,
        },
        Case {
            what: "right cookie, Origin of another site only",
            method: "POST",
            path,
            headers: vec![s.cookie(), h("Origin", "http://evil.example"), json()],
            status: 403,
        },
        Case {
            what: "right cookie, Sec-Fetch-Site: cross-site only",
            method: "POST",
            path,
            headers: vec![s.cookie(), h("Sec-Fetch-Site", "cross-site"), json()],
            status: 403,
        },
        Case {
            what: "right cookie, a page on another port of this computer (same site)",
            method: "POST",
            path,
            headers: vec![
                s.cookie(),
                h("Origin", &other_port),
                h("Sec-Fetch-Site", "same-site"),
                json(),
            ],
            status: 403,
        },
        Case {
            what: "right cookie, an opaque origin (sandboxed frame, file:)",
            method: "POST",
            path,
            headers: vec![s.cookie(), h("Origin", "null"), json()],
            status: 403,
        },
        Case {
            what: "right cookie, own origin, but text/plain (a form post needs no preflight)",
            method: "POST",
            path,
            headers: vec![
                s.cookie(),
                s.origin(),
                h("Sec-Fetch-Site", "same-origin"),
                h("Content-Type", "text/plain"),
            ],
            status: 415,
        },
        Case {
            what: "right cookie, a urlencoded form",
            method: "POST",
            path,
            headers: vec![
                s.cookie(),
                s.origin(),
                h("Content-Type", "application/x-www-form-urlencoded"),
            ],
            status: 415,
        },
        Case {
            what: "right cookie, no content type",
            method: "POST",
            path,
            headers: vec![s.cookie(), s.origin()],
            status: 415,
        },
        Case {
            what: "right cookie, a DNS-rebinding page (another host name)",
            method: "POST",
            path,
            headers: vec![
                h("Host", &format!("evil.example:{}", s.port)),
                s.cookie(),
                json(),
            ],
            status: 403,
        },
        Case {
            what: "reading changes without the key",
            method: "GET",
            path: "/api/changes?after=0",
            headers: vec![],
            status: 401,
        },
        Case {
            what: "reading changes with a wrong key",
            method: "GET",
            path: "/api/changes?after=0",
            headers: vec![h("x-onward-key", &"0".repeat(64))],
            status: 401,
        },
        Case {
            what: "reading changes from another site",
            method: "GET",
            path: "/api/changes?after=0",
            headers: vec![s.cookie(), h("Sec-Fetch-Site", "cross-site")],
            status: 403,
        },
        Case {
            what: "a query without the key",
            method: "POST",
            path: "/api/call/session",
            headers: vec![json()],
            status: 401,
        },
        Case {
            what: "a query from another site",
            method: "POST",
            path: "/api/call/session",
            headers: vec![
                s.cookie(),
                h("Origin", "http://evil.example"),
                h("Sec-Fetch-Site", "cross-site"),
                json(),
            ],
            status: 403,
        },
    ]
}

#[test]
fn a_shell_without_a_profile_cannot_be_enrolled_by_anyone_else() {
    let s = shell(false);
    run(&s, ENROL, &attacks(&s, "/api/call/enrol"));
    // Nothing was enrolled: still no profile, and no store on disk.
    let session = s.call("session", "{}");
    assert_eq!(session.status, 200, "{session:?}");
    assert_eq!(session.body, r#"{"identity":null}"#);
    assert!(!s._dirs.0.path().join("onward.db").exists());
    // The same query with the header instead of the cookie (a script of the person's own).
    let by_header = s.send(
        "POST",
        "/api/call/session",
        &[
            h("x-onward-key", &s.key),
            h("Content-Type", "application/json; charset=utf-8"),
        ],
        "{}",
    );
    assert_eq!(by_header.status, 200, "{by_header:?}");
}

#[test]
fn a_shell_with_a_profile_keeps_its_records_to_its_own_page() {
    let s = shell(true);
    run(
        &s,
        NEW_PARTICIPANT,
        &attacks(&s, "/api/call/create_participant"),
    );
    // The caseload is unchanged (empty), and the honest page can still add to it.
    let caseload = s.call("caseload", "{}");
    assert_eq!(caseload.status, 200, "{caseload:?}");
    assert_eq!(caseload.body, "[]");
    let added = s.call("create_participant", NEW_PARTICIPANT);
    assert_eq!(added.status, 200, "{added:?}");
    let caseload = s.call("caseload", "{}");
    assert!(caseload.body.contains("Test Person"), "{caseload:?}");
    // Reading changes with the key answers at once (the profile's start counts as one).
    let changes = s.send("GET", "/api/changes?after=0", &[s.cookie()], "");
    assert_eq!(changes.status, 200, "{changes:?}");
    assert!(changes.body.starts_with(r#"{"count":"#), "{changes:?}");
    assert_eq!(changes.header("cache-control"), Some("no-store"));
}

#[test]
fn the_landing_address_sets_the_cookie_and_leaves_the_address_bar() {
    let s = shell(false);
    let table: &[(&str, String, u16, bool)] = &[
        // path                                   status  sets the cookie
        ("the printed address", format!("/?key={}", s.key), 303, true),
        (
            "a wrong key",
            format!("/?key={}", "0".repeat(64)),
            401,
            false,
        ),
        ("an empty key", "/?key=".to_string(), 401, false),
        (
            "half the key",
            format!("/?key={}", &s.key[..32]),
            401,
            false,
        ),
        ("no key: the page itself", "/".to_string(), 200, false),
    ];
    for (what, path, status, sets) in table {
        let reply = s.send("GET", path, &[], "");
        assert_eq!(reply.status, *status, "{what}: {reply:?}");
        let cookie = reply.header("set-cookie");
        assert_eq!(cookie.is_some(), *sets, "{what}: {reply:?}");
        if let Some(cookie) = cookie {
            assert_eq!(reply.header("location"), Some("/"), "{what}");
            assert!(cookie.starts_with(&format!("onward-key-{}={};", s.port, s.key)));
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
                assert!(cookie.contains(attribute), "{what}: {cookie}");
            }
            assert_eq!(reply.header("cache-control"), Some("no-store"));
        }
    }
    // The cookie the landing set opens the API.
    let cookie = s
        .send("GET", &format!("/?key={}", s.key), &[], "")
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let reply = s.send(
        "POST",
        "/api/call/session",
        &[
            h("Cookie", &format!("theme=dark; {cookie}")),
            h("Content-Type", "application/json"),
        ],
        "{}",
    );
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[test]
fn every_answer_forbids_framing_and_sniffing() {
    let s = shell(false);
    let framed = [
        h("Sec-Fetch-Dest", "iframe"),
        h("Sec-Fetch-Site", "cross-site"),
    ];
    let answers = [
        (
            "the page, framed by another site",
            s.send("GET", "/", &framed, ""),
        ),
        ("a missing file", s.send("GET", "/nothing-here.js", &[], "")),
        (
            "a refused call",
            s.send("POST", "/api/call/session", &[], "{}"),
        ),
        ("an honest call", s.call("session", "{}")),
        (
            "another host name",
            s.send("GET", "/", &[h("Host", "evil.example")], ""),
        ),
    ];
    for (what, reply) in &answers {
        let csp = reply.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {reply:?}");
        assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
        assert_eq!(reply.header("x-frame-options"), Some("DENY"), "{what}");
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{what}"
        );
    }
    for (what, reply) in &answers[2..4] {
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{what}");
    }
}
