//! What a listener asks the kernel for: [`ListenOptions`] with its [`CopyMode`],
//! [`ConfigFlags`] and [`LogFamily`](super::LogFamily) list.
//!
//! # Contract
//! - Options are plain data, checked when built: the group is 1..=65535 or
//!   [`ListenOptions::new`] fails with [`NflogError::BadGroup`]; every other value is
//!   representable as the kernel takes it (a snaplen is 16 bits, a threshold 32 bits).
//! - Defaults (what an unset option means): copy mode [`CopyMode::Meta`], queue threshold 1
//!   (every packet is its own datagram), no flush timeout sent (the kernel keeps its 1 s),
//!   no flags, families IPv4 and IPv6, a 4 MiB receive buffer.
//! - What is sent: `CFG_MODE` always; `CFG_FLAGS` only when flags are set; `CFG_QTHRESH` only
//!   above 1; `CFG_TIMEOUT` only when a timeout is set. See the [module docs](super) for the
//!   order.

use std::fmt;
use std::time::Duration;

use super::consts::*;
use super::error::NflogError;
use super::family::LogFamily;

/// How much of each packet the kernel copies to the listener.
///
/// ```
/// use linx_netfilter::nflog::CopyMode;
/// assert_eq!(CopyMode::default(), CopyMode::Meta);
/// assert_eq!(CopyMode::packet(), CopyMode::Packet { snaplen: 0xFFFF });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CopyMode {
    /// `NFULNL_COPY_NONE`: the kernel sends nothing for the group's packets.
    None,
    /// `NFULNL_COPY_META`: metadata (prefix, hook, interfaces, mark ...), no payload.
    #[default]
    Meta,
    /// `NFULNL_COPY_PACKET`: metadata and the first `snaplen` bytes of the packet (from
    /// the network header). The kernel caps the range a little below 64 KiB, and a rule's
    /// own `snaplen` lowers it further; 0 is taken as the kernel's maximum.
    Packet {
        /// Bytes of payload to copy.
        snaplen: u16,
    },
}

impl CopyMode {
    /// Whole packets: [`CopyMode::Packet`] with a snaplen of 0xFFFF.
    pub const fn packet() -> CopyMode {
        CopyMode::Packet { snaplen: 0xFFFF }
    }

    /// The `NFULNL_COPY_*` byte and the copy range, as `CFG_MODE` carries them.
    ///
    /// ```
    /// use linx_netfilter::nflog::CopyMode;
    /// assert_eq!(CopyMode::Packet { snaplen: 128 }.wire(), (2, 128));
    /// assert_eq!(CopyMode::Meta.wire(), (1, 0));
    /// ```
    pub const fn wire(self) -> (u8, u32) {
        match self {
            CopyMode::None => (NFULNL_COPY_NONE, 0),
            CopyMode::Meta => (NFULNL_COPY_META, 0),
            CopyMode::Packet { snaplen } => (NFULNL_COPY_PACKET, snaplen as u32),
        }
    }
}

/// `NFULNL_CFG_F_*`: extra attributes the kernel adds to every packet of the group. Unknown
/// bits are kept and sent as given.
///
/// ```
/// use linx_netfilter::nflog::ConfigFlags;
/// let f = ConfigFlags::SEQ | ConfigFlags::SEQ_GLOBAL;
/// assert_eq!(f.bits(), 3);
/// assert!(f.contains(ConfigFlags::SEQ));
/// assert!(!f.contains(ConfigFlags::CONNTRACK));
/// assert_eq!(format!("{f:?}"), "ConfigFlags(seq|seq_global)");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ConfigFlags(u16);

impl ConfigFlags {
    /// `NFULNL_CFG_F_SEQ`: a per-group sequence number ([`Packet::seq`](super::Packet::seq)).
    pub const SEQ: ConfigFlags = ConfigFlags(NFULNL_CFG_F_SEQ);
    /// `NFULNL_CFG_F_SEQ_GLOBAL`: a namespace-wide sequence number
    /// ([`Packet::seq_global`](super::Packet::seq_global)).
    pub const SEQ_GLOBAL: ConfigFlags = ConfigFlags(NFULNL_CFG_F_SEQ_GLOBAL);
    /// `NFULNL_CFG_F_CONNTRACK`: the packet's conntrack entry (kept raw in
    /// [`Packet::other`](super::Packet::other)); the kernel refuses it without conntrack.
    pub const CONNTRACK: ConfigFlags = ConfigFlags(NFULNL_CFG_F_CONNTRACK);

    /// No flags.
    pub const fn empty() -> ConfigFlags {
        ConfigFlags(0)
    }

    /// Flags from raw bits, unknown bits kept.
    pub const fn from_bits_retain(bits: u16) -> ConfigFlags {
        ConfigFlags(bits)
    }

    /// The bits sent in `NFULA_CFG_FLAGS`.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// No bit set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Every bit of `other` is set here.
    pub const fn contains(self, other: ConfigFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for ConfigFlags {
    type Output = ConfigFlags;
    fn bitor(self, rhs: ConfigFlags) -> ConfigFlags {
        ConfigFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for ConfigFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConfigFlags(")?;
        let mut rest = self.0;
        let mut first = true;
        for (bit, name) in [
            (NFULNL_CFG_F_SEQ, "seq"),
            (NFULNL_CFG_F_SEQ_GLOBAL, "seq_global"),
            (NFULNL_CFG_F_CONNTRACK, "conntrack"),
        ] {
            if rest & bit != 0 {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                rest &= !bit;
                first = false;
            }
        }
        if rest != 0 {
            if !first {
                f.write_str("|")?;
            }
            write!(f, "{rest:#x}")?;
        }
        f.write_str(")")
    }
}

/// How a listener is set up: the group (required) and everything the kernel is told about
/// it. See the [`nflog` module docs](super) for defaults and what is sent.
///
/// ```
/// use std::time::Duration;
/// use linx_netfilter::nflog::{ConfigFlags, CopyMode, ListenOptions, LogFamily};
/// let opts = ListenOptions::new(5)?
///     .copy_mode(CopyMode::Packet { snaplen: 256 })
///     .qthreshold(16)
///     .timeout(Duration::from_millis(200))
///     .flags(ConfigFlags::SEQ)
///     .families([LogFamily::Ipv4])
///     .rcvbuf(8 << 20);
/// assert_eq!(opts.group(), 5);
/// assert_eq!(opts.family_list(), [LogFamily::Ipv4]);
/// assert!(ListenOptions::new(70_000).is_err());
/// # Ok::<(), linx_netfilter::nflog::NflogError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "ListenOptions does nothing until a listener is opened with it"]
pub struct ListenOptions {
    group: u16,
    copy_mode: CopyMode,
    qthreshold: u32,
    timeout: Duration,
    flags: ConfigFlags,
    families: Vec<LogFamily>,
    rcvbuf: usize,
}

impl ListenOptions {
    /// The receive buffer asked for by default: 4 MiB.
    pub const RCVBUF: usize = 4 << 20;

    /// How long start-up and stop wait for each acknowledgement. The kernel answers a
    /// configuration request while it is sent, so only a lost ACK ever waits this long.
    pub const ACK_TIMEOUT: Duration = Duration::from_secs(5);

    /// Options for NFLOG group `group` (1..=65535; else [`NflogError::BadGroup`]), every
    /// other option at its default.
    ///
    /// ```
    /// use linx_netfilter::nflog::{ListenOptions, NflogError};
    /// assert!(ListenOptions::new(1).is_ok());
    /// assert!(ListenOptions::new(65535).is_ok());
    /// assert_eq!(ListenOptions::new(65536).unwrap_err(), NflogError::BadGroup(65536));
    /// ```
    pub fn new(group: u32) -> Result<ListenOptions, NflogError> {
        match u16::try_from(group) {
            Ok(g) if g != 0 => Ok(ListenOptions {
                group: g,
                copy_mode: CopyMode::default(),
                qthreshold: 1,
                timeout: Duration::ZERO,
                flags: ConfigFlags::empty(),
                families: vec![LogFamily::Ipv4, LogFamily::Ipv6],
                rcvbuf: ListenOptions::RCVBUF,
            }),
            _ => Err(NflogError::BadGroup(group)),
        }
    }

    /// How much of each packet to copy (default [`CopyMode::Meta`]).
    pub fn copy_mode(mut self, mode: CopyMode) -> Self {
        self.copy_mode = mode;
        self
    }

    /// How many packets the kernel batches into one datagram before it sends them (default
    /// 1: each packet at once). Above 1 the flush timeout bounds the wait for a batch.
    pub fn qthreshold(mut self, packets: u32) -> Self {
        self.qthreshold = packets;
        self
    }

    /// The longest a batch waits before the kernel sends it, sent in the kernel's unit of
    /// hundredths of a second (rounded up; at least one). Zero (the default) sends nothing and
    /// leaves the kernel's one second.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Extra per-packet attributes (default none).
    pub fn flags(mut self, flags: ConfigFlags) -> Self {
        self.flags = flags;
        self
    }

    /// The families to bind NFLOG to as the default logger (default IPv4 and IPv6; an empty
    /// list binds none). Duplicates are bound once.
    pub fn families(mut self, families: impl IntoIterator<Item = LogFamily>) -> Self {
        self.families.clear();
        for f in families {
            if !self.families.contains(&f) {
                self.families.push(f);
            }
        }
        self
    }

    /// The receive buffer to ask for (default 4 MiB): how much the kernel queues before it
    /// drops packets and the listener yields [`Event::ResyncNeeded`](super::Event). Forced
    /// past `net.core.rmem_max` when the process may.
    pub fn rcvbuf(mut self, bytes: usize) -> Self {
        self.rcvbuf = bytes;
        self
    }

    /// The group.
    pub fn group(&self) -> u16 {
        self.group
    }

    /// The copy mode.
    pub fn copy_mode_value(&self) -> CopyMode {
        self.copy_mode
    }

    /// The queue threshold.
    pub fn qthreshold_value(&self) -> u32 {
        self.qthreshold
    }

    /// The flush timeout (zero: not sent).
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }

    /// The flags.
    pub fn flags_value(&self) -> ConfigFlags {
        self.flags
    }

    /// The families, in binding order.
    pub fn family_list(&self) -> &[LogFamily] {
        &self.families
    }

    /// The receive buffer size asked for.
    pub fn rcvbuf_request(&self) -> usize {
        self.rcvbuf
    }

    /// The timeout in the kernel's unit (hundredths of a second), `None` when not sent.
    ///
    /// ```
    /// use std::time::Duration;
    /// use linx_netfilter::nflog::ListenOptions;
    /// let o = ListenOptions::new(1)?;
    /// assert_eq!(o.clone().timeout(Duration::ZERO).timeout_ticks(), None);
    /// assert_eq!(o.clone().timeout(Duration::from_millis(1)).timeout_ticks(), Some(1));
    /// assert_eq!(o.clone().timeout(Duration::from_millis(250)).timeout_ticks(), Some(25));
    /// assert_eq!(o.timeout(Duration::from_secs(u64::MAX)).timeout_ticks(), Some(u32::MAX));
    /// # Ok::<(), linx_netfilter::nflog::NflogError>(())
    /// ```
    pub fn timeout_ticks(&self) -> Option<u32> {
        if self.timeout.is_zero() {
            return None;
        }
        let ticks = self.timeout.as_millis().div_ceil(10).max(1);
        Some(u32::try_from(ticks).unwrap_or(u32::MAX))
    }
}
