//! Server settings: defaults, then a TOML file, then `ONWARD_` environment variables
//! (`ONWARD_LISTEN`, `ONWARD_DATABASE_URL`, …). Loading never writes a file.

use std::net::{IpAddr, SocketAddr};
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
    /// Reverse proxies in front of this server (addresses or networks such as
    /// `10.0.0.0/8`). Only their `X-Forwarded-For` header is believed when deciding which
    /// client address a sign-in came from; an empty list believes nobody's.
    pub trusted_proxies: TrustedProxies,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8750".parse().expect("a valid address"),
            database_url: "sqlite://onward-server.db".into(),
            log: "info".into(),
            enrolment_code_hours: 72,
            trusted_proxies: TrustedProxies::default(),
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
            .field("trusted_proxies", &self.trusted_proxies)
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
             # variable: ONWARD_LISTEN, ONWARD_DATABASE_URL, ONWARD_LOG, ONWARD_ENROLMENT_CODE_HOURS,\n\
             # ONWARD_TRUSTED_PROXIES (comma-separated, e.g. \"127.0.0.1, ::1\").\n\
             #\n\
             # TLS: run behind a reverse proxy that holds the certificate (see the README).\n\
             # Behind a proxy, name it in trusted_proxies (e.g. [\"127.0.0.1\", \"::1\"]) so sign-in\n\
             # limits count each client's own address from X-Forwarded-For, not the proxy's.\n\
             # For PostgreSQL: database_url = \"postgres://onward:PASSWORD@localhost/onward\"\n\n{}",
            toml::to_string_pretty(&Settings::default()).unwrap_or_default()
        )
    }
}

/// One trusted address, or a network of them (`ADDRESS/PREFIX`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` is in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            let keep = u32::from(prefix.min(width));
            if keep == 0 {
                0
            } else {
                bits >> (u32::from(width) - keep)
            }
        }
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), self.prefix, 32)
                    == masked(u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad =
            || format!("'{s}' is not an IP address or network (like 127.0.0.1, ::1 or 10.0.0.0/8)");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| bad())?;
        let addr = addr.to_canonical();
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(bad)?,
            None => width,
        };
        Ok(Network { addr, prefix })
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let width = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == width {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed. In a settings file a list of
/// strings; in `ONWARD_TRUSTED_PROXIES` also one comma-separated string.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<Network>);

impl TrustedProxies {
    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }
}

impl std::fmt::Debug for TrustedProxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl std::str::FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.split([',', ' '])
            .filter(|p| !p.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl Serialize for TrustedProxies {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|n| n.to_string()))
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let joined = match Raw::deserialize(d)? {
            Raw::One(s) => s,
            Raw::Many(v) => v.join(","),
        };
        joined.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_hold_the_addresses_written_out_here() {
        let proxies: TrustedProxies = "127.0.0.1, 10.0.0.0/8 ::1 fd00::/8".parse().unwrap();
        for (addr, trusted) in [
            ("127.0.0.1", true),
            ("127.0.0.2", false),
            ("10.0.0.1", true),
            ("10.255.255.255", true),
            ("11.0.0.1", false),
            ("::1", true),
            ("::ffff:127.0.0.1", true),
            ("::ffff:10.1.2.3", true),
            ("fd12:3456::1", true),
            ("fe80::1", false),
            ("203.0.113.5", false),
        ] {
            assert_eq!(proxies.trusts(ip(addr)), trusted, "{addr}");
        }
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("proxy.local".parse::<Network>().is_err());
        assert!(
            "0.0.0.0/0"
                .parse::<Network>()
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
    }

    #[test]
    fn trusted_proxies_come_from_a_file_list_or_an_environment_string() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("onward-server.toml");
        std::fs::write(&file, "trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n").unwrap();
        let from_file = Settings::load(Some(&file)).unwrap();
        assert_eq!(
            from_file.trusted_proxies,
            "127.0.0.1,10.0.0.0/8".parse().unwrap()
        );
        // The environment's form: one string, as figment hands it over.
        let from_env: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(("trusted_proxies", "127.0.0.1, ::1"))
            .extract()
            .unwrap();
        assert_eq!(from_env.trusted_proxies, "127.0.0.1 ::1".parse().unwrap());
        let bad = Figment::from(Serialized::defaults(Settings::default()))
            .merge(("trusted_proxies", "not-an-address"))
            .extract::<Settings>();
        assert!(bad.is_err());
        // print-config lists it, with its default.
        assert!(Settings::example().contains("trusted_proxies = []"));
        assert_eq!(
            Settings::default().trusted_proxies,
            TrustedProxies::default()
        );
    }
}
