//! [`Flowtable`]: the fast path for established flows (`flow add @ft`).
//!
//! Why modelled although this kernel lacks `NF_FLOW_TABLE`: production kernels have it, the
//! model must be able to say so, and the refusal on a kernel without it comes from the kernel
//! as a typed error, not from here.
//!
//! # Contract
//! - [`Flowtable::check`]: valid name, hook `ingress`, at least one device, valid interface
//!   names without duplicates, a priority that resolves (names as for netdev: only `filter`),
//!   family ip/ip6/inet (checked by the table).

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::consts::flowtable as c;
use crate::flags::flags;
use crate::validate::{check_ifname, check_name};
use crate::{Error, Family, Hook, Priority, Reason, TableId};

flags! {
    /// Flowtable flags (`enum nft_flowtable_flags`).
    ///
    /// ```
    /// use linx_netfilter::FlowtableFlags;
    /// assert_eq!((FlowtableFlags::HW_OFFLOAD | FlowtableFlags::COUNTER).bits(), 0x3);
    /// ```
    pub struct FlowtableFlags, path = "linx_netfilter::FlowtableFlags", example = "linx_netfilter::FlowtableFlags::COUNTER" {
        /// `offload`: offload flows to the NIC.
        const HW_OFFLOAD = c::NFT_FLOWTABLE_HW_OFFLOAD, "offload";
        /// `counter`: count packets and bytes per flow.
        const COUNTER = c::NFT_FLOWTABLE_COUNTER, "counter";
    }
}

impl Default for FlowtableFlags {
    /// No flags.
    fn default() -> FlowtableFlags {
        FlowtableFlags::empty()
    }
}

fn ingress() -> Hook {
    Hook::Ingress
}

/// A flowtable: established flows on `devices` skip the classic forwarding path.
///
/// ```
/// use linx_netfilter::{Flowtable, Hook, Priority};
/// let ft = Flowtable::new("ft", ["eth0", "eth1"]);
/// assert_eq!(ft.hook, Hook::Ingress);
/// assert_eq!(ft.priority, Priority::FILTER);
/// assert_eq!(ft.to_string(), "Flowtable<ft ingress filter devices=eth0,eth1>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flowtable {
    /// The name.
    pub name: String,
    /// The hook (must be ingress).
    #[serde(default = "ingress")]
    pub hook: Hook,
    /// The priority (numbers, or `filter` ± offset).
    pub priority: Priority,
    /// The devices (at least one).
    pub devices: Vec<String>,
    /// Flags.
    #[serde(default, skip_serializing_if = "FlowtableFlags::is_empty")]
    pub flags: FlowtableFlags,
    /// The kernel's handle, when pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<u64>,
}

impl Flowtable {
    /// A flowtable on `devices`, hook ingress, priority `filter`, no flags.
    ///
    /// ```
    /// use linx_netfilter::Flowtable;
    /// assert_eq!(Flowtable::new("ft", ["eth0"]).devices, ["eth0"]);
    /// ```
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        devices: impl IntoIterator<Item = S>,
    ) -> Flowtable {
        Flowtable {
            name: name.into(),
            hook: Hook::Ingress,
            priority: Priority::FILTER,
            devices: devices.into_iter().map(Into::into).collect(),
            flags: FlowtableFlags::empty(),
            handle: None,
        }
    }

    /// Sets the priority.
    ///
    /// ```
    /// use linx_netfilter::{Flowtable, Priority};
    /// assert_eq!(Flowtable::new("ft", ["e"]).priority(Priority::Value(10)).priority, Priority::Value(10));
    /// ```
    #[must_use = "builder methods return the changed flowtable"]
    pub fn priority(mut self, priority: Priority) -> Flowtable {
        self.priority = priority;
        self
    }

    /// Sets the flags.
    ///
    /// ```
    /// use linx_netfilter::{Flowtable, FlowtableFlags};
    /// let ft = Flowtable::new("ft", ["e"]).flags(FlowtableFlags::COUNTER);
    /// assert_eq!(ft.flags, FlowtableFlags::COUNTER);
    /// ```
    #[must_use = "builder methods return the changed flowtable"]
    pub fn flags(mut self, flags: FlowtableFlags) -> Flowtable {
        self.flags = flags;
        self
    }

    /// Checks this flowtable for a table of `table.family`.
    ///
    /// # Errors
    /// [`Error::BadFlowtable`].
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, Flowtable, Reason, TableId};
    /// let t = TableId::new(Family::Inet, "t");
    /// assert!(Flowtable::new("ft", ["eth0"]).check(&t).is_ok());
    /// let none: [&str; 0] = [];
    /// assert!(matches!(
    ///     Flowtable::new("ft", none).check(&t),
    ///     Err(Error::BadFlowtable { reason: Reason::NoDevices, .. })
    /// ));
    /// ```
    pub fn check(&self, table: &TableId) -> Result<(), Error> {
        let bad = |reason| Error::BadFlowtable {
            table: table.clone(),
            flowtable: self.name.clone(),
            reason,
        };
        check_name(&self.name).map_err(bad)?;
        if !table.family.is_ip() {
            return Err(bad(Reason::FlowtableFamily {
                family: table.family,
            }));
        }
        if self.hook != Hook::Ingress {
            return Err(bad(Reason::FlowtableHook { hook: self.hook }));
        }
        if self.devices.is_empty() {
            return Err(bad(Reason::NoDevices));
        }
        let mut seen = HashSet::new();
        for device in &self.devices {
            check_ifname(device).map_err(bad)?;
            if !seen.insert(device) {
                return Err(bad(Reason::DuplicateDevice {
                    device: device.clone(),
                }));
            }
        }
        self.priority.resolve(Family::Netdev).map_err(bad)?;
        Ok(())
    }
}

impl fmt::Display for Flowtable {
    /// `Flowtable<name hook priority devices=a,b>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Flowtable<{} {} {} devices={}>",
            self.name,
            self.hook,
            self.priority,
            self.devices.join(",")
        )
    }
}
