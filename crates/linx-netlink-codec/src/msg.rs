//! Netlink message framing: `struct nlmsghdr`, zero-copy iteration over the messages of a
//! datagram, a writer for requests, and the `NLMSG_ERROR` / `NLMSG_DONE` payloads.
//!
//! ```text
//!  0        4        6        8        12       16
//! +--------+--------+--------+--------+--------+----------------------+-----------+
//! | len u32|type u16|flags   | seq u32| pid u32| payload (len - 16)   | pad to 4  |
//! +--------+--------+--------+--------+--------+----------------------+-----------+
//!   all fields host order; len counts header + payload, not the trailing padding
//! ```
//!
//! # Contract
//! - [`MsgIter`] validates `len` before slicing: `len < 16` or a length running past the end
//!   of the datagram is a [`DecodeError`], yielded once, after which iteration stops. A trailing
//!   run shorter than a header is ignored.
//! - [`MsgWriter`] pads the message to 4 bytes so messages concatenate into one datagram.
//! - Extended-ACK parsing follows the kernel: attributes are present only when
//!   `NLM_F_ACK_TLVS` is set; the echoed request is skipped (only its header when
//!   `NLM_F_CAPPED` is set).
//!
//! # See also
//! `<linux/netlink.h>`, netlink(7).

use crate::attr::{AttrIter, AttrWriter, NlBuffer, align};
use crate::consts::*;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError, Errno, ExtAck, NetlinkError};

/// `struct nlmsghdr`, owned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NlHeader {
    /// `nlmsg_len`: header + payload length, without trailing padding.
    pub len: u32,
    /// `nlmsg_type`: control type (`NLMSG_*`) or family message type.
    pub kind: u16,
    /// `nlmsg_flags`: `NLM_F_*`.
    pub flags: u16,
    /// `nlmsg_seq`: sequence number echoed by the kernel in replies.
    pub seq: u32,
    /// `nlmsg_pid`: sender port id (0 for the kernel).
    pub pid: u32,
}

impl NlHeader {
    /// Encoded size: 16 bytes.
    pub const LEN: usize = NLMSG_HDRLEN;

    /// Decode the first 16 bytes of `buf`.
    ///
    /// ```
    /// use linx_netlink_codec::NlHeader;
    /// let h = NlHeader { len: 32, kind: 18, flags: 0x301, seq: 1, pid: 0 };
    /// let mut b = [0u8; 16];
    /// h.emit(&mut b);
    /// assert_eq!(NlHeader::parse(&b).unwrap(), h);
    /// ```
    #[inline]
    pub fn parse(buf: &[u8]) -> Result<Self, DecodeError> {
        let b: &[u8; 16] = buf
            .get(..16)
            .and_then(|s| s.try_into().ok())
            .ok_or(DecodeError::truncated("nlmsghdr", 0, 16, buf.len()))?;
        Ok(NlHeader {
            len: u32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
            kind: u16::from_ne_bytes([b[4], b[5]]),
            flags: u16::from_ne_bytes([b[6], b[7]]),
            seq: u32::from_ne_bytes([b[8], b[9], b[10], b[11]]),
            pid: u32::from_ne_bytes([b[12], b[13], b[14], b[15]]),
        })
    }

    /// Encode into the first 16 bytes of `buf`.
    ///
    /// # Panics
    /// If `buf` is shorter than 16 bytes.
    pub fn emit(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.len.to_ne_bytes());
        buf[4..6].copy_from_slice(&self.kind.to_ne_bytes());
        buf[6..8].copy_from_slice(&self.flags.to_ne_bytes());
        buf[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        buf[12..16].copy_from_slice(&self.pid.to_ne_bytes());
    }
}

/// One message inside a datagram: its header and borrowed payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsgView<'a> {
    header: NlHeader,
    bytes: &'a [u8],
}

impl<'a> MsgView<'a> {
    /// Check and view the message at the start of `buf` (which may hold more messages after
    /// it). Fails when `len` is below 16 or runs past the end of `buf`.
    ///
    /// ```
    /// use linx_netlink_codec::MsgView;
    /// // An NLMSG_DONE with a 4-byte payload (errno 0).
    /// let b = [20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    /// let m = MsgView::new_checked(&b).unwrap();
    /// assert_eq!((m.kind(), m.seq(), m.payload().len()), (3, 1, 4));
    /// assert!(MsgView::new_checked(&b[..19]).is_err());
    /// ```
    #[inline]
    pub fn new_checked(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let header = NlHeader::parse(buf)?;
        let len = header.len as usize;
        if len < NLMSG_HDRLEN || len > buf.len() {
            return Err(DecodeError::new(
                DecodeErrorKind::BadLength {
                    len,
                    avail: buf.len(),
                },
                "nlmsghdr",
                0,
            ));
        }
        Ok(MsgView {
            header,
            bytes: &buf[..len],
        })
    }

    /// The header.
    #[inline]
    pub fn header(&self) -> &NlHeader {
        &self.header
    }
    /// `nlmsg_type`.
    #[inline]
    pub fn kind(&self) -> u16 {
        self.header.kind
    }
    /// `nlmsg_flags`.
    #[inline]
    pub fn flags(&self) -> u16 {
        self.header.flags
    }
    /// `nlmsg_seq`.
    #[inline]
    pub fn seq(&self) -> u32 {
        self.header.seq
    }
    /// `nlmsg_pid`.
    pub fn pid(&self) -> u32 {
        self.header.pid
    }
    /// The payload after the 16-byte header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[NLMSG_HDRLEN..]
    }
    /// The whole message, header included, without trailing padding.
    #[inline]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The attributes after a family header of `header_len` bytes (padded to 4).
    /// A payload shorter than the header yields no attributes; check the header separately.
    #[inline]
    pub fn attrs(&self, header_len: usize) -> AttrIter<'a> {
        let p = self.payload();
        AttrIter::new(p.get(align(header_len)..).unwrap_or(&[]))
    }
}

/// Iterator over the messages of one datagram.
///
/// ```
/// use linx_netlink_codec::{MsgIter, MsgWriter};
/// let mut dgram = Vec::new();
/// for seq in 1..=2 {
///     MsgWriter::begin(&mut dgram, 0x10, 0, seq).finish().unwrap();
/// }
/// let seqs: Vec<u32> = MsgIter::new(&dgram).map(|m| m.unwrap().seq()).collect();
/// assert_eq!(seqs, [1, 2]);
/// ```
#[derive(Clone, Debug)]
pub struct MsgIter<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> MsgIter<'a> {
    /// Iterate the messages in `datagram`.
    pub fn new(datagram: &'a [u8]) -> Self {
        MsgIter {
            buf: datagram,
            pos: 0,
            failed: false,
        }
    }

    /// Byte offset of the next message.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for MsgIter<'a> {
    type Item = Result<MsgView<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.buf.get(self.pos..)?;
        if rest.len() < NLMSG_HDRLEN {
            self.pos = self.buf.len();
            return None;
        }
        match MsgView::new_checked(rest) {
            Ok(m) => {
                self.pos = (self.pos + align(m.header.len as usize)).min(self.buf.len());
                Some(Ok(m))
            }
            Err(mut e) => {
                self.failed = true;
                e.offset += self.pos;
                Some(Err(e))
            }
        }
    }
}

/// Writes one message: header first, then the family header and attributes, then patches
/// `nlmsg_len` on [`finish`](Self::finish).
///
/// ```
/// use linx_netlink_codec::{MsgWriter, consts::*};
/// let mut buf = Vec::new();
/// let mut w = MsgWriter::begin(&mut buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7);
/// w.put_bytes(&[0u8; 16]); // struct ifinfomsg, all zero
/// let len = w.finish().unwrap();
/// assert_eq!(len, 32);
/// assert_eq!(&buf[..4], &32u32.to_ne_bytes());
/// ```
#[derive(Debug)]
#[must_use = "a message must be finished to get its length patched"]
pub struct MsgWriter<'b, B: NlBuffer + ?Sized> {
    buf: &'b mut B,
    start: usize,
}

impl<'b, B: NlBuffer + ?Sized> MsgWriter<'b, B> {
    /// Start a message with pid 0 (the kernel assigns the port).
    pub fn begin(buf: &'b mut B, kind: u16, flags: u16, seq: u32) -> Self {
        let start = buf.len();
        let mut h = [0u8; NLMSG_HDRLEN];
        NlHeader {
            len: 0,
            kind,
            flags,
            seq,
            pid: 0,
        }
        .emit(&mut h);
        buf.put_slice(&h);
        MsgWriter { buf, start }
    }

    /// Append raw payload bytes (a family header, typically). Pads to 4 bytes.
    pub fn put_bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.put_slice(bytes);
        self.buf.put_zeros(align(bytes.len()) - bytes.len());
        self
    }

    /// A writer for the message's attributes.
    pub fn attrs(&mut self) -> AttrWriter<'_, B> {
        AttrWriter::new(self.buf)
    }

    /// The buffer, for payload writers of other shapes.
    pub fn buffer(&mut self) -> &mut B {
        self.buf
    }

    /// Patch `nlmsg_len`, pad to 4 and return the message length.
    pub fn finish(self) -> Result<usize, EncodeError> {
        let len = self.buf.len() - self.start;
        let len32 = u32::try_from(len).map_err(|_| EncodeError::MessageTooLong { len })?;
        self.buf.as_mut_slice()[self.start..self.start + 4].copy_from_slice(&len32.to_ne_bytes());
        self.buf.put_zeros(align(len) - len);
        Ok(len)
    }
}

/// Room allowed for the extended-ACK attributes of one `NLMSG_ERROR`, on top of the echoed
/// request (see [`ack_len_max`]).
///
/// The kernel's attributes (`netlink_ack_tlv_len` in `net/netlink/af_netlink.c`) are the
/// message text (a constant string, or at most `NETLINK_MAX_FMTMSG_LEN` = 80 bytes when
/// formatted), the offset, missing type and missing nest (8 bytes each), a cookie (at most
/// 20 bytes) and the rejected attribute's policy (a few dozen bytes). 8 KiB is many times
/// their sum.
pub const ACK_ATTRS_MAX: usize = 8 << 10;

/// The longest `NLMSG_ERROR` datagram (an ACK or a refusal) the kernel can send for a request
/// of `request_len` bytes: its header, the error code, the request echoed in full (less when
/// `NETLINK_CAP_ACK` is set) and the extended-ACK attributes (bounded by [`ACK_ATTRS_MAX`]).
/// The kernel sends each acknowledgement as a datagram of its own (`netlink_ack`), so this
/// bounds the datagram too; drivers read such datagrams without probing their size.
///
/// ```
/// use linx_netlink_codec::msg::{ack_len_max, ACK_ATTRS_MAX};
/// assert_eq!(ack_len_max(60), 16 + 4 + 60 + ACK_ATTRS_MAX);
/// ```
pub fn ack_len_max(request_len: usize) -> usize {
    NlHeader::LEN + 4 + align(request_len) + ACK_ATTRS_MAX
}

/// Decode the payload of an `NLMSG_ERROR`: `Ok(None)` for an ACK (errno 0),
/// `Ok(Some(err))` for a refusal with its extended ACK.
///
/// ```
/// use linx_netlink_codec::{msg::parse_error, MsgView, Errno};
/// // NLMSG_ERROR, flags CAPPED, errno -19, echoed 16-byte header.
/// let mut b = vec![36, 0, 0, 0, 2, 0, 0, 1, 5, 0, 0, 0, 0, 0, 0, 0];
/// b.extend_from_slice(&(-19i32).to_ne_bytes());
/// b.extend_from_slice(&[0; 16]);
/// let err = parse_error(&MsgView::new_checked(&b).unwrap()).unwrap().unwrap();
/// assert_eq!(err.errno, Errno::ENODEV);
/// ```
pub fn parse_error(msg: &MsgView<'_>) -> Result<Option<NetlinkError>, DecodeError> {
    let p = msg.payload();
    let code = p
        .get(..4)
        .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(DecodeError::truncated("nlmsgerr", NLMSG_HDRLEN, 4, p.len()))?;
    if code == 0 {
        return Ok(None);
    }
    let mut ext_ack = ExtAck::default();
    if msg.flags() & NLM_F_ACK_TLVS != 0 {
        // Skip the echoed request: its header only when capped, else the whole message.
        let echoed = p.get(4..).unwrap_or(&[]);
        let skip = if msg.flags() & NLM_F_CAPPED != 0 {
            NLMSG_HDRLEN
        } else {
            NlHeader::parse(echoed).map_or(echoed.len(), |h| align(h.len as usize))
        };
        // The errno is known: extended-ACK attributes that do not parse cannot make a
        // refusal anything else, so they are left out rather than failing the reply.
        if let Some(tlvs) = echoed.get(skip..)
            && parse_ext_ack(tlvs, &mut ext_ack).is_err()
        {
            ext_ack = ExtAck::default();
        }
    }
    Ok(Some(NetlinkError {
        errno: Errno::from_raw(code.wrapping_neg()),
        ext_ack,
    }))
}

/// Decode the payload of an `NLMSG_DONE`: `Ok(None)` when the dump ended well (errno 0 or an
/// empty payload from old kernels), `Ok(Some(err))` when the kernel ended it with an error.
///
/// ```
/// use linx_netlink_codec::{msg::parse_done, MsgView};
/// let b = [20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// assert!(parse_done(&MsgView::new_checked(&b).unwrap()).unwrap().is_none());
/// ```
pub fn parse_done(msg: &MsgView<'_>) -> Result<Option<NetlinkError>, DecodeError> {
    let p = msg.payload();
    let Some(b) = p.get(..4) else { return Ok(None) };
    let code = i32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
    if code >= 0 {
        return Ok(None);
    }
    let mut ext_ack = ExtAck::default();
    if msg.flags() & NLM_F_ACK_TLVS != 0 {
        parse_ext_ack(&p[4..], &mut ext_ack)?;
    }
    Ok(Some(NetlinkError {
        errno: Errno::from_raw(code.wrapping_neg()),
        ext_ack,
    }))
}

fn parse_ext_ack(tlvs: &[u8], out: &mut ExtAck) -> Result<(), DecodeError> {
    let t = crate::attr_table!(
        first tlvs,
        [
            NLMSGERR_ATTR_MSG,
            NLMSGERR_ATTR_OFFS,
            NLMSGERR_ATTR_MISS_TYPE,
            NLMSGERR_ATTR_MISS_NEST,
        ]
    )?;
    // Lenient by design: a message the kernel did not terminate or a short number is shown
    // as far as it goes, never turned into a decode error on top of the real one.
    let u32_of = |kind| {
        t.get(kind).and_then(|a| {
            a.payload()
                .first_chunk::<4>()
                .map(|b| u32::from_ne_bytes(*b))
        })
    };
    if let Some(a) = t.get(NLMSGERR_ATTR_MSG) {
        let p = a.payload();
        let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
        out.message = Some(String::from_utf8_lossy(&p[..end]).into_owned());
    }
    out.offset = u32_of(NLMSGERR_ATTR_OFFS);
    out.missing_type = u32_of(NLMSGERR_ATTR_MISS_TYPE);
    out.missing_nest = u32_of(NLMSGERR_ATTR_MISS_NEST);
    Ok(())
}

/// Resolve an extended-ACK offset (counted from the start of `request`, a whole message)
/// to the attribute types leading to it, outermost first. `header_len` is the size of the
/// request's family header. Returns `None` when the offset is not inside an attribute.
///
/// ```
/// use linx_netlink_codec::{msg::resolve_offset, MsgWriter};
/// let mut req = Vec::new();
/// let mut w = MsgWriter::begin(&mut req, 16, 1, 1);
/// w.put_bytes(&[0; 16]);
/// w.attrs().put_u32(4, 9000).unwrap();
/// w.finish().unwrap();
/// assert_eq!(resolve_offset(&req, 16, 32), Some(vec![4]));
/// ```
pub fn resolve_offset(request: &[u8], header_len: usize, offset: u32) -> Option<Vec<u16>> {
    let base = NLMSG_HDRLEN + align(header_len);
    let mut path = Vec::new();
    let mut buf = request.get(base..)?;
    let mut off = (offset as usize).checked_sub(base)?;
    'outer: loop {
        for a in AttrIter::new(buf) {
            let a = a.ok()?;
            let start = a.offset();
            let end = start + 4 + a.payload().len();
            if off >= start && off < end {
                path.push(a.kind());
                let inner = off - start;
                if inner >= 4 && AttrIter::new(a.payload()).all(|x| x.is_ok()) {
                    buf = a.payload();
                    off = inner - 4;
                    continue 'outer;
                }
                return Some(path);
            }
        }
        return if path.is_empty() { None } else { Some(path) };
    }
}
