//! The statistics message: the `IFLA_STATS_*` attribute ids, `struct if_stats_msg`, and
//! [`Stats`] with its one attribute declaration (`typed_attrs!`).
//!
//! # Contract
//! - The first `IFLA_STATS_LINK_64` (exact type bits) is typed; every other attribute
//!   (pads, extended statistics, duplicates) stays in [`Stats::other`]; the order of
//!   arrival is kept in [`Stats::wire_order`], so `emit(parse(bytes)) == bytes`.
//! - A value built in code emits the `IFLA_STATS_UNSPEC` pads that open `other` first (the
//!   kernel puts them right before the counters they align), then the counters, then the
//!   rest of `other`.

use std::fmt;

use linx_netlink_codec::decl::emit_ordered;
use linx_netlink_codec::{
    AttrWriter, DecodeCx, DecodeError, FixedHeader, MsgView, NlBuffer, RawAttrs, WireOrder,
    nl_header, typed_attrs,
};

use super::counters::LinkStats64;
use crate::error::Error;

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
    /// Every other attribute (pads, extended statistics, duplicates), as received.
    pub other: RawAttrs,
    /// The order the attributes arrived in (see [`WireOrder`]).
    pub wire_order: WireOrder,
}

typed_attrs! {
    impl Stats {
        1: IFLA_STATS_LINK_64 => link64 as LinkStats64,
    }
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
        let head = Stats {
            index: h.ifindex,
            filter_mask: h.filter_mask,
            ..Default::default()
        };
        let attrs = payload.get(IfStatsMsg::LEN..).unwrap_or_default();
        Stats::with_attrs(head, attrs, IfStatsMsg::LEN, DecodeCx::family(h.family))
    }

    /// Decode a reply message (`RTM_NEWSTATS`).
    pub fn from_msg(m: &MsgView<'_>) -> Result<Stats, DecodeError> {
        Stats::parse(m.payload())
    }

    /// Bytes [`emit`](Self::emit) appends.
    pub fn buffer_len(&self) -> usize {
        IfStatsMsg::LEN + self.attrs_len()
    }

    /// Append the encoded payload (if_stats_msg + attributes): in the order received for a
    /// decoded value; else the `IFLA_STATS_UNSPEC` pads that open [`other`](Self::other)
    /// first (the kernel puts them right before the 64-bit counters they align), then
    /// `IFLA_STATS_LINK_64`, then the rest of `other` unchanged. Fails only when the tail
    /// makes the attribute exceed 64 KiB.
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
        IfStatsMsg {
            ifindex: self.index,
            filter_mask: self.filter_mask,
            ..Default::default()
        }
        .append(buf);
        let mut w = AttrWriter::new(buf);
        if self.wire_order.is_empty() && self.link64.is_some() {
            let mut order = WireOrder::default();
            for a in self.other.iter() {
                match a {
                    Ok(a) if a.raw_type() == IFLA_STATS_UNSPEC => order.raw(),
                    _ => break,
                }
            }
            order.typed(1);
            emit_ordered(&order, &self.other, Self::SLOTS, &mut w, |s, w| {
                self.emit_slot(s, w)
            })?;
        } else {
            self.emit_attrs(&mut w)?;
        }
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
