//! Link statistics: the 64-bit counters of one link or of every link (`RTM_GETSTATS`).
//!
//! Why a module of its own: `RTM_GETSTATS` (kernel 4.7+) returns only the counters asked for,
//! selected by a filter mask, instead of the whole link description `RTM_GETLINK` carries. This
//! module asks for `IFLA_STATS_LINK_64`, the kernel's `struct rtnl_link_stats64`.
//!
//! A reply (`RTM_NEWSTATS`) is a `struct if_stats_msg` followed by `IFLA_STATS_*` attributes:
//!
//! ```text
//!  0      1      2          4              8                  12
//! +------+------+----------+--------------+------------------+-------------------+
//! |family| pad1 | pad2 u16 | ifindex u32  | filter_mask u32  | IFLA_STATS_* ...  |
//! +------+------+----------+--------------+------------------+-------------------+
//!
//! IFLA_STATS_LINK_64 (type 1) payload, struct rtnl_link_stats64, 8 bytes per counter:
//!   0 rx_packets        8 tx_packets       16 rx_bytes          24 tx_bytes
//!  32 rx_errors        40 tx_errors        48 rx_dropped        56 tx_dropped
//!  64 multicast        72 collisions       80 rx_length_errors  88 rx_over_errors
//!  96 rx_crc_errors   104 rx_frame_errors 112 rx_fifo_errors   120 rx_missed_errors
//! 128 tx_aborted_errors 136 tx_carrier_errors 144 tx_fifo_errors 152 tx_heartbeat_errors
//! 160 tx_window_errors 168 rx_compressed  176 tx_compressed    184 rx_nohandler
//! 192 rx_otherhost_dropped (kernel 5.19+)  200 ... (fields of later kernels)
//!   all host order (<linux/rtnetlink.h>, <linux/if_link.h>)
//! ```
//!
//! ```no_run
//! let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
//! let lo = linx_rtnl::stats::get(&sock, "lo")?;
//! println!("{lo}"); // Stats<dev 1 rx 10 pkts 840 B tx 10 pkts 840 B>
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Contract
//! - Both layouts of `struct rtnl_link_stats64` decode: 24 counters (kernels 4.7 to 5.18;
//!   `RTM_GETSTATS` is younger than `rx_nohandler`, so no kernel sends fewer) and 25 with
//!   `rx_otherhost_dropped` (5.19+). Longer structs from later kernels decode too: the bytes
//!   past the known counters are kept in [`LinkStats64::tail`] and re-emitted unchanged. A
//!   payload shorter than 24 counters is a [`DecodeError`], never a panic.
//! - Lossless: `emit(parse(bytes)) == bytes` for every reply a kernel sends. The header's
//!   `filter_mask` is kept; attributes other than the first `IFLA_STATS_LINK_64` stay in
//!   [`Stats::other`] as wire bytes, in the order received.
//! - [`get`] resolves the name first (`RTM_GETLINK`), then asks for that index; a missing
//!   link reads `no such interface "x"`. [`list`] is one dump and covers every link.
//! - Counters are read atomically per link by the kernel, not across links.
//!
//! # See also
//! rtnetlink(7), ip-stats(8), ip-link(8) (`ip -s link`).

use linx_netlink_codec::Dumped;
use std::fmt;

use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    AttrIter, AttrWriter, Call, DecodeError, Errno, FixedHeader, MsgView, NetlinkError, NlBuffer,
    RawAttrs, Request, nl_header,
};

use crate::error::{Error, on_link};
use crate::link::index_of;
use crate::verb::verb;

/// `IFLA_STATS_UNSPEC`: also the type of the zero-length pads the kernel puts before a 64-bit
/// aligned attribute on architectures without efficient unaligned access.
pub const IFLA_STATS_UNSPEC: u16 = 0;
/// `IFLA_STATS_LINK_64`: `struct rtnl_link_stats64`, the link's 64-bit counters.
pub const IFLA_STATS_LINK_64: u16 = 1;

/// `IFLA_STATS_FILTER_BIT(attr)`: the `filter_mask` bit that asks for attribute `attr`
/// (0 for `IFLA_STATS_UNSPEC` and types past 32, which have no bit).
///
/// ```
/// use linx_rtnl::stats::{IFLA_STATS_LINK_64, filter_bit};
/// assert_eq!(filter_bit(IFLA_STATS_LINK_64), 1);
/// assert_eq!(filter_bit(0), 0);
/// ```
pub const fn filter_bit(attr: u16) -> u32 {
    if attr == 0 || attr > 32 {
        0
    } else {
        1 << (attr - 1)
    }
}

/// Size of the 24-counter `struct rtnl_link_stats64` (kernels 4.7 to 5.18); the shortest
/// payload [`LinkStats64::parse`] accepts.
pub const LINK_STATS64_MIN_LEN: usize = 24 * 8;
/// Size of the 25-counter `struct rtnl_link_stats64` (5.19+, with `rx_otherhost_dropped`).
pub const LINK_STATS64_LEN: usize = 25 * 8;

nl_header! {
    /// `struct if_stats_msg` (`<linux/rtnetlink.h>`).
    pub struct IfStatsMsg[12] {
        /// `family`: `AF_UNSPEC` for link statistics.
        pub family: u8 [0] ne,
        /// `pad1`: must be 0 (strict checking refuses anything else).
        pub pad1: u8 [1] ne,
        /// `pad2`: must be 0.
        pub pad2: u16 [2] ne,
        /// `ifindex`: the link (0 in dump requests).
        pub ifindex: u32 [4] ne,
        /// `filter_mask`: which `IFLA_STATS_*` attributes are wanted ([`filter_bit`]); replies
        /// echo it.
        pub filter_mask: u32 [8] ne,
    }
}

/// Declares the fixed counters of `struct rtnl_link_stats64` once, in wire order; generates
/// the struct and the in-order accessors parse and emit walk.
macro_rules! link_stats64 {
    ($( $(#[$m:meta])* $field:ident, )*) => {
        /// `struct rtnl_link_stats64` (`<linux/if_link.h>`): a link's 64-bit counters.
        ///
        /// The 24 counters every kernel sends are plain fields; `rx_otherhost_dropped` is
        /// `None` on kernels before 5.19; [`tail`](Self::tail) keeps what later kernels append.
        ///
        /// ```
        /// use linx_rtnl::stats::LinkStats64;
        /// let s = LinkStats64 { rx_packets: 3, rx_otherhost_dropped: Some(0), ..Default::default() };
        /// let mut buf = vec![0; s.buffer_len()];
        /// s.emit(&mut buf);
        /// assert_eq!(buf.len(), 200);
        /// assert_eq!(LinkStats64::parse(&buf).unwrap(), s);
        /// ```
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
        pub struct LinkStats64 {
            $( $(#[$m])* pub $field: u64, )*
            /// Packets dropped because they were addressed to another host (5.19+).
            pub rx_otherhost_dropped: Option<u64>,
            /// Bytes past the last counter this crate knows (newer kernels), kept for re-emit.
            /// Empty unless the kernel sent a longer struct.
            pub tail: Vec<u8>,
        }

        impl LinkStats64 {
            /// The names of the 24 counters every layout has, in wire order (the kernel's
            /// field names).
            pub const FIELDS: [&'static str; 24] = [$( stringify!($field), )*];

            /// The 24 counters every layout has, in wire order (see [`FIELDS`](Self::FIELDS)).
            ///
            /// ```
            /// use linx_rtnl::stats::LinkStats64;
            /// let s = LinkStats64 { tx_bytes: 7, ..Default::default() };
            /// assert_eq!(s.counters()[3], 7);
            /// assert_eq!(LinkStats64::FIELDS[3], "tx_bytes");
            /// ```
            pub fn counters(&self) -> [u64; 24] {
                [$( self.$field, )*]
            }

            fn counters_mut(&mut self) -> [&mut u64; 24] {
                [$( &mut self.$field, )*]
            }
        }
    };
}

link_stats64! {
    /// Packets received.
    rx_packets,
    /// Packets transmitted.
    tx_packets,
    /// Bytes received.
    rx_bytes,
    /// Bytes transmitted.
    tx_bytes,
    /// Bad packets received.
    rx_errors,
    /// Packet transmit problems.
    tx_errors,
    /// Received packets dropped (no buffer space, filtered ...).
    rx_dropped,
    /// Packets dropped on transmit.
    tx_dropped,
    /// Multicast packets received.
    multicast,
    /// Collisions (half-duplex media).
    collisions,
    /// Receive errors: bad length.
    rx_length_errors,
    /// Receive errors: receiver ring overflow.
    rx_over_errors,
    /// Receive errors: CRC.
    rx_crc_errors,
    /// Receive errors: frame alignment.
    rx_frame_errors,
    /// Receive errors: FIFO overrun.
    rx_fifo_errors,
    /// Receive errors: missed by the receiver.
    rx_missed_errors,
    /// Transmit errors: aborted.
    tx_aborted_errors,
    /// Transmit errors: carrier lost.
    tx_carrier_errors,
    /// Transmit errors: FIFO.
    tx_fifo_errors,
    /// Transmit errors: heartbeat.
    tx_heartbeat_errors,
    /// Transmit errors: late collisions (window).
    tx_window_errors,
    /// Compressed packets received (cslip ...).
    rx_compressed,
    /// Compressed packets transmitted.
    tx_compressed,
    /// Packets received that no protocol handler took (unknown ethertype ...).
    rx_nohandler,
}

fn ne64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_ne_bytes(a)
}

impl LinkStats64 {
    /// Decode the payload of `IFLA_STATS_LINK_64` (or `IFLA_STATS64`): 24 counters, 25, or
    /// more (the rest kept in [`tail`](Self::tail)); shorter is an error.
    ///
    /// ```
    /// use linx_rtnl::stats::LinkStats64;
    /// let mut b = vec![0u8; 192];
    /// b[..8].copy_from_slice(&5u64.to_ne_bytes());
    /// let s = LinkStats64::parse(&b).unwrap();
    /// assert_eq!((s.rx_packets, s.rx_otherhost_dropped), (5, None));
    /// assert!(LinkStats64::parse(&b[..191]).is_err());
    /// ```
    pub fn parse(buf: &[u8]) -> Result<LinkStats64, DecodeError> {
        if buf.len() < LINK_STATS64_MIN_LEN {
            return Err(DecodeError::truncated(
                "rtnl_link_stats64",
                0,
                LINK_STATS64_MIN_LEN,
                buf.len(),
            ));
        }
        let mut s = LinkStats64::default();
        for (slot, b) in s.counters_mut().into_iter().zip(buf.chunks_exact(8)) {
            *slot = ne64(b);
        }
        let rest = if buf.len() >= LINK_STATS64_LEN {
            s.rx_otherhost_dropped = Some(ne64(&buf[LINK_STATS64_MIN_LEN..]));
            &buf[LINK_STATS64_LEN..]
        } else {
            &buf[LINK_STATS64_MIN_LEN..]
        };
        s.tail = rest.to_vec();
        Ok(s)
    }

    /// Bytes [`emit`](Self::emit) writes: 192 or 200, plus the tail.
    pub fn buffer_len(&self) -> usize {
        let fixed = if self.rx_otherhost_dropped.is_some() {
            LINK_STATS64_LEN
        } else {
            LINK_STATS64_MIN_LEN
        };
        fixed + self.tail.len()
    }

    /// Write the struct into `buf[..self.buffer_len()]`: the 24 counters, then
    /// `rx_otherhost_dropped` when set, then the tail.
    ///
    /// # Panics
    /// When `buf` is shorter than [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, buf: &mut [u8]) {
        let len = self.buffer_len();
        let buf = &mut buf[..len];
        for (v, b) in self.counters().into_iter().zip(buf.chunks_exact_mut(8)) {
            b.copy_from_slice(&v.to_ne_bytes());
        }
        let mut at = LINK_STATS64_MIN_LEN;
        if let Some(v) = self.rx_otherhost_dropped {
            buf[at..at + 8].copy_from_slice(&v.to_ne_bytes());
            at += 8;
        }
        buf[at..].copy_from_slice(&self.tail);
    }
}

/// The statistics of one link, as `RTM_NEWSTATS` reports them.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Interface index.
    pub index: u32,
    /// The header's `filter_mask` (the kernel echoes the request's mask).
    pub filter_mask: u32,
    /// `IFLA_STATS_LINK_64`: the 64-bit counters.
    pub link64: Option<LinkStats64>,
    /// Every other attribute (pads, extended statistics, duplicates), as received.
    pub other: RawAttrs,
}

impl Stats {
    /// Decode an `RTM_NEWSTATS` payload (after `nlmsghdr`).
    ///
    /// ```
    /// use linx_rtnl::stats::Stats;
    /// let mut p = vec![0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]; // if_stats_msg: ifindex 2
    /// p.extend_from_slice(&[196, 0, 1, 0]); // IFLA_STATS_LINK_64, 192 bytes
    /// p.extend_from_slice(&[0; 192]);
    /// let s = Stats::parse(&p).unwrap();
    /// assert_eq!(s.index, 2);
    /// assert_eq!(s.link64.unwrap().rx_otherhost_dropped, None);
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Stats, DecodeError> {
        let h = IfStatsMsg::parse(payload)?;
        let mut s = Stats {
            index: h.ifindex,
            filter_mask: h.filter_mask,
            ..Default::default()
        };
        let base = IfStatsMsg::LEN;
        for a in AttrIter::new(&payload[base..]) {
            let a = a.map_err(|mut e| {
                e.offset += base;
                e
            })?;
            // Exact type bits: a LINK_64 with flag bits set is not the struct; keep it raw.
            if a.raw_type() == IFLA_STATS_LINK_64 && s.link64.is_none() {
                let l = LinkStats64::parse(a.payload())
                    .map_err(|e| e.within(a.kind(), base + a.offset() + 4))?;
                s.link64 = Some(l);
            } else {
                s.other.push(&a);
            }
        }
        Ok(s)
    }

    /// Decode a reply message (`RTM_NEWSTATS`).
    pub fn from_msg(m: &MsgView<'_>) -> Result<Stats, DecodeError> {
        Stats::parse(m.payload())
    }

    /// Bytes [`emit`](Self::emit) appends.
    pub fn buffer_len(&self) -> usize {
        let link = self
            .link64
            .as_ref()
            .map_or(0, |l| linx_netlink_codec::align(4 + l.buffer_len()));
        IfStatsMsg::LEN + link + self.other.as_bytes().len()
    }

    /// Append the encoded payload (if_stats_msg + attributes). The `IFLA_STATS_UNSPEC` pads
    /// that open [`other`](Self::other) come first (the kernel puts them right before the
    /// 64-bit counters they align), then `IFLA_STATS_LINK_64`, then the rest of `other`
    /// unchanged. Fails only when the tail makes the attribute exceed 64 KiB.
    ///
    /// ```
    /// use linx_rtnl::stats::{LinkStats64, Stats};
    /// let s = Stats { index: 3, filter_mask: 1, link64: Some(LinkStats64::default()), ..Default::default() };
    /// let mut buf = Vec::new();
    /// s.emit(&mut buf)?;
    /// assert_eq!(buf.len(), s.buffer_len());
    /// assert_eq!(Stats::parse(&buf).unwrap(), s);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), Error> {
        let h = IfStatsMsg {
            ifindex: self.index,
            filter_mask: self.filter_mask,
            ..Default::default()
        };
        let start = buf.len();
        buf.put_zeros(IfStatsMsg::LEN);
        h.emit(&mut buf.as_mut_slice()[start..]);
        let other = self.other.as_bytes();
        // Byte length of the leading pads: whole attributes of type IFLA_STATS_UNSPEC.
        let mut pads = 0;
        if self.link64.is_some() {
            for a in self.other.iter() {
                match a {
                    Ok(a) if a.raw_type() == IFLA_STATS_UNSPEC => {
                        pads = (a.offset() + linx_netlink_codec::align(4 + a.payload().len()))
                            .min(other.len());
                    }
                    _ => break,
                }
            }
        }
        buf.put_slice(&other[..pads]);
        let mut w = AttrWriter::new(buf);
        if let Some(l) = &self.link64 {
            w.put_with(IFLA_STATS_LINK_64, |b| {
                let at = b.len();
                b.put_zeros(l.buffer_len());
                l.emit(&mut b.as_mut_slice()[at..]);
            })?;
        }
        w.buffer().put_slice(&other[pads..]);
        Ok(())
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.link64 {
            Some(l) => write!(
                f,
                "Stats<dev {} rx {} pkts {} B tx {} pkts {} B>",
                self.index, l.rx_packets, l.rx_bytes, l.tx_packets, l.tx_bytes
            ),
            None => write!(f, "Stats<dev {} no link64>", self.index),
        }
    }
}

/// `{:?}` prints the short form (`Stats<dev 2 rx 10 pkts 840 B tx 5 pkts 420 B>`); `{:#?}`
/// every field.
impl fmt::Debug for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        f.debug_struct("Stats")
            .field("index", &self.index)
            .field("filter_mask", &format_args!("{:#x}", self.filter_mask))
            .field("link64", &self.link64)
            .field("other", &self.other)
            .finish()
    }
}

// ------------------------------------------------------------------------------- requests

/// The decoder of [`get_call`] and [`list_call`].
type Decode = fn(&MsgView<'_>) -> Result<Stats, DecodeError>;

fn header(ifindex: u32) -> Vec<u8> {
    let mut p = vec![0u8; IfStatsMsg::LEN];
    IfStatsMsg {
        ifindex,
        filter_mask: filter_bit(IFLA_STATS_LINK_64),
        ..Default::default()
    }
    .emit(&mut p);
    p
}

/// The call behind [`get`], by index: an `RTM_GETSTATS` for link `ifindex` asking for
/// `IFLA_STATS_LINK_64`. The kernel answers one `RTM_NEWSTATS`, or `ENODEV`.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// let lo = linx_rtnl::stats::get_call(1).single(&sock)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn get_call(ifindex: u32) -> Call<Decode> {
    Call::new(
        Request::new(RTM_GETSTATS, 0, header(ifindex)).with_header_len(IfStatsMsg::LEN),
        Stats::from_msg as Decode,
    )
}

/// The call behind [`list`]: an `RTM_GETSTATS` dump asking for `IFLA_STATS_LINK_64` of every
/// link. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::stats::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<Decode> {
    Call::new(
        Request::dump(RTM_GETSTATS, header(0)).with_header_len(IfStatsMsg::LEN),
        Stats::from_msg as Decode,
    )
}

verb! {
    /// The counters of the link named `link`; `ENODEV` reads `no such interface "link"`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo = linx_rtnl::stats::get(&sock, "lo")?;
    /// println!("{} packets received", lo.link64.map_or(0, |l| l.rx_packets));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(sock, link: &str) -> Stats {
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        match sock.single(get_call(index)).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(on_link(Error::Netlink(NetlinkError::new(Errno::ENODEV)), link)),
            Err(e) => Err(on_link(e, link)),
        }
    }
}

verb! {
    /// The counters of every link of the socket's namespace.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for s in linx_rtnl::stats::list(&sock)? {
    ///     println!("{s}");
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Stats> {
        Ok(sock.collect(list_call()).await?)
    }
}
