//! `struct rtnl_link_stats64`: the 64-bit counters of a link ([`LinkStats64`]), declared
//! once in wire order, and its attribute codec.
//!
//! # Contract
//! - 24 counters (kernels 4.7 to 5.18) or 25 (`rx_otherhost_dropped`, 5.19+) decode; a
//!   longer struct keeps the bytes past the known counters in [`LinkStats64::tail`] and
//!   re-emits them; a shorter one is a `Truncated` [`DecodeError`], never a panic.
//! - Host byte order.

use linx_netlink_codec::{AttrValue, DecodeError, EncodeError, NlBuffer};

/// Size of the 24-counter `struct rtnl_link_stats64` (kernels 4.7 to 5.18); the shortest
/// payload [`LinkStats64::parse`] accepts.
pub const LINK_STATS64_MIN_LEN: usize = 24 * 8;
/// Size of the 25-counter `struct rtnl_link_stats64` (5.19+, with `rx_otherhost_dropped`).
pub const LINK_STATS64_LEN: usize = 25 * 8;

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

/// `IFLA_STATS_LINK_64` (and `IFLA_STATS64`): [`LinkStats64::parse`] and
/// [`LinkStats64::emit`].
impl AttrValue for LinkStats64 {
    const CODEC: &'static str = "rtnl_link_stats64";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        LinkStats64::parse(p)
    }
    fn value_len(v: &Self) -> usize {
        v.buffer_len()
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        let at = buf.len();
        buf.put_zeros(v.buffer_len());
        v.emit(&mut buf.as_mut_slice()[at..]);
        Ok(())
    }
}
