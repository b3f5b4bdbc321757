//! The options of an address request ([`AddrOptions`]): a builder, checked against the
//! address (and the link name) before anything is sent.
//!
//! # Contract
//! - Every check is local: no kernel round trip. A bad label or lifetime is
//!   [`Error::BadOption`], a broadcast of the other family [`Error::FamilyMismatch`], an
//!   unparsable broadcast [`Error::Ip`].
//! - Unset options are left to the kernel (lifetimes forever, scope universe, the link
//!   name as label).

use linx_ip::{Family, IntoIp, Ip, IpError, Subnet};

use super::types::{AddrFlags, AddrScope, INFINITY_LIFE_TIME};
use crate::error::Error;

/// `IFNAMSIZ`: labels are at most 15 bytes plus the NUL.
const IFNAMSIZ: usize = 16;

/// Optional settings for [`add`](super::add) and [`replace`](super::replace): label, lifetimes, flags, scope, broadcast.
/// Checked (against the address and link name) before anything is sent.
///
/// ```
/// use linx_rtnl::addr::{AddrFlags, AddrOptions, AddrScope};
/// let opts = AddrOptions::new()
///     .label("eth0:web")
///     .lifetimes(3600, 1800)
///     .flags(AddrFlags::NOPREFIXROUTE)
///     .scope(AddrScope::Link);
/// assert!(opts.validate("eth0", &"10.0.0.5/24".parse().unwrap()).is_ok());
/// assert!(opts.validate("eth1", &"10.0.0.5/24".parse().unwrap()).is_err()); // label
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[must_use = "options do nothing until passed to addr::add or addr::replace"]
pub struct AddrOptions {
    pub(super) label: Option<String>,
    pub(super) valid: Option<u32>,
    pub(super) preferred: Option<u32>,
    pub(super) flags: AddrFlags,
    pub(super) scope: Option<AddrScope>,
    pub(super) broadcast: Option<Result<Ip, IpError>>,
}

impl AddrOptions {
    /// No options: scope universe, no label (the kernel uses the link name), lifetimes
    /// forever, no flags.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::addr::AddrOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// `IFA_LABEL` (IPv4 only): 1 to 15 bytes starting with the link name, as iproute2 and
    /// ifconfig-style aliases (`eth0:1`) expect.
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().label("eth0:1");
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Valid lifetime in seconds ([`INFINITY_LIFE_TIME`] = forever, the default; 0 is
    /// refused). Without a preferred lifetime, the address stays preferred while valid.
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().valid_lifetime(600);
    /// ```
    pub fn valid_lifetime(mut self, secs: u32) -> Self {
        self.valid = Some(secs);
        self
    }

    /// Preferred lifetime in seconds: after it the address is deprecated (not used for new
    /// connections). Must not exceed the valid lifetime (default forever).
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().valid_lifetime(600).preferred_lifetime(300);
    /// ```
    pub fn preferred_lifetime(mut self, secs: u32) -> Self {
        self.preferred = Some(secs);
        self
    }

    /// Both lifetimes at once (`IFA_CACHEINFO`).
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().lifetimes(600, 300);
    /// ```
    pub fn lifetimes(self, valid: u32, preferred: u32) -> Self {
        self.valid_lifetime(valid).preferred_lifetime(preferred)
    }

    /// Add `IFA_F_*` flags (e.g. [`AddrFlags::NODAD`], [`AddrFlags::NOPREFIXROUTE`]); the
    /// kernel keeps the ones it accepts for the family.
    ///
    /// ```
    /// use linx_rtnl::addr::{AddrFlags, AddrOptions};
    /// let o = AddrOptions::new().flags(AddrFlags::NODAD).flags(AddrFlags::HOMEADDRESS);
    /// ```
    pub fn flags(mut self, flags: AddrFlags) -> Self {
        self.flags |= flags;
        self
    }

    /// The scope (default [`AddrScope::Universe`]; the kernel derives IPv6 scopes itself).
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().scope(linx_rtnl::addr::AddrScope::Host);
    /// ```
    pub fn scope(mut self, scope: AddrScope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// `IFA_BROADCAST` (IPv4 only), the typed value or its string; e.g.
    /// `subnet.broadcast()` for the subnet's broadcast address.
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().broadcast("10.0.0.255");
    /// ```
    pub fn broadcast(mut self, ip: impl IntoIp) -> Self {
        self.broadcast = Some(ip.into_ip());
        self
    }

    /// `(valid, preferred)` when lifetimes are set: an unset valid lifetime is forever, an
    /// unset preferred one equals the valid one.
    pub(super) fn lifetimes_resolved(&self) -> Option<(u32, u32)> {
        match (self.valid, self.preferred) {
            (None, None) => None,
            (v, p) => {
                let v = v.unwrap_or(INFINITY_LIFE_TIME);
                Some((v, p.unwrap_or(v)))
            }
        }
    }

    /// Every check that does not need the link name.
    pub(super) fn check(&self, addr: &Subnet) -> Result<(), Error> {
        let v6 = addr.family() == Family::Inet6;
        if let Some(l) = &self.label {
            if v6 {
                return Err(Error::BadOption {
                    name: "label",
                    value: format!("{l:?} (IPv6 addresses have no label)"),
                });
            }
            if l.is_empty() || l.len() >= IFNAMSIZ || l.contains('\0') {
                return Err(Error::BadOption {
                    name: "label",
                    value: format!("{l:?} (1 to 15 bytes, no NUL)"),
                });
            }
        }
        match &self.broadcast {
            None => {}
            Some(Err(e)) => return Err(Error::Ip(e.clone())),
            Some(Ok(b)) if b.family() != addr.family() => {
                return Err(Error::FamilyMismatch(format!(
                    "broadcast {b} for address {addr}"
                )));
            }
            Some(Ok(b)) if v6 => {
                return Err(Error::BadOption {
                    name: "broadcast",
                    value: format!("{b} (IPv6 has no broadcast)"),
                });
            }
            Some(Ok(_)) => {}
        }
        if let Some((valid, preferred)) = self.lifetimes_resolved() {
            if valid == 0 {
                return Err(Error::BadOption {
                    name: "valid lifetime",
                    value: "0 (must be > 0)".into(),
                });
            }
            if preferred > valid {
                return Err(Error::BadOption {
                    name: "preferred lifetime",
                    value: format!("{preferred} (longer than the valid lifetime {valid})"),
                });
            }
        }
        Ok(())
    }

    /// Check the options against the address and the link they are for, without the
    /// kernel (the verbs call this before sending anything).
    ///
    /// ```
    /// use linx_rtnl::{Error, addr::AddrOptions};
    /// let v4 = "10.0.0.5/24".parse().unwrap();
    /// let err = AddrOptions::new().lifetimes(100, 200).validate("eth0", &v4).unwrap_err();
    /// assert!(matches!(err, Error::BadOption { name: "preferred lifetime", .. }));
    /// let err = AddrOptions::new().broadcast("fd00::ff").validate("eth0", &v4).unwrap_err();
    /// assert!(matches!(err, Error::FamilyMismatch(_)));
    /// ```
    pub fn validate(&self, link: &str, addr: &Subnet) -> Result<(), Error> {
        self.check(addr)?;
        if let Some(l) = &self.label {
            if !l.starts_with(link) {
                return Err(Error::BadOption {
                    name: "label",
                    value: format!("{l:?} (must start with the link name {link:?})"),
                });
            }
        }
        Ok(())
    }
}
