//! Server settings: defaults, then a TOML file, then `ONWARD_` environment variables
//! (`ONWARD_LISTEN`, `ONWARD_DATABASE_URL`, …). Loading never writes a file.

use std::net::SocketAddr;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// `sqlite://PATH` (the default, embedded) or `postgres://USER:PASSWORD@HOST/DB`.
    pub database_url: String,
    /// Log filter: error, warn, info, debug.
    pub log: String,
    /// How long a new enrolment code stays valid, in hours.
    pub enrolment_code_hours: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8750".parse().expect("a valid address"),
            database_url: "sqlite://onward-server.db".into(),
            log: "info".into(),
            enrolment_code_hours: 72,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("log", &self.log)
            .field("enrolment_code_hours", &self.enrolment_code_hours)
            .finish()
    }
}

/// A database URL with any password replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Settings {
    /// Loads settings from the defaults, `file` (if given) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, String> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(f) = file {
            if !f.exists() {
                return Err(format!("the settings file {} does not exist", f.display()));
            }
            fig = fig.merge(Toml::file(f));
        }
        fig.merge(Env::prefixed("ONWARD_"))
            .extract()
            .map_err(|e| format!("the settings are not valid: {e}"))
    }

    /// An example settings file, with every setting and its default.
    pub fn example() -> String {
        format!(
            "# Onward server settings. Every setting can also be given as an environment\n\
             # variable: ONWARD_LISTEN, ONWARD_DATABASE_URL, ONWARD_LOG, ONWARD_ENROLMENT_CODE_HOURS.\n\
             #\n\
             # TLS: run behind a reverse proxy that holds the certificate (see the README).\n\
             # For PostgreSQL: database_url = \"postgres://onward:PASSWORD@localhost/onward\"\n\n{}",
            toml::to_string_pretty(&Settings::default()).unwrap_or_default()
        )
    }
}
