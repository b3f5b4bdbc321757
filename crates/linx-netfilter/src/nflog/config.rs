//! The configuration requests of start-up and stop, as pure data: [`startup`] and [`stop`]
//! list them, [`ConfigRequest::encode`] writes one.
//!
//! # Contract
//! Every request is `NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG` with
//! `NLM_F_REQUEST | NLM_F_ACK`, an `nfgenmsg` (family: the `NFPROTO_*` of a PF command, else
//! `AF_UNSPEC`; `res_id`: the group in network order, 0 for PF commands) and one attribute.
//! Nothing here allocates more than the request itself or panics.

use linx_netlink_codec::consts::{NLM_F_ACK, NLM_F_REQUEST};
use linx_netlink_codec::{AttrWriter, EncodeError, MsgWriter};
use linx_nfnl::{NfGenMsg, msg_type, subsys};

use super::consts::*;
use super::error::ConfigStep;
use super::options::ListenOptions;

/// One configuration request: what it is for and its one attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConfigRequest {
    /// What the request does (for errors).
    pub(crate) step: ConfigStep,
    /// `nfgen_family`.
    family: u8,
    /// `res_id`: the group, or 0.
    res_id: u16,
    /// Attribute type and payload.
    attr: (u16, Vec<u8>),
}

impl ConfigRequest {
    fn command(step: ConfigStep, family: u8, res_id: u16, cmd: u8) -> Self {
        ConfigRequest {
            step,
            family,
            res_id,
            attr: (NFULA_CFG_CMD, vec![cmd]),
        }
    }

    fn attr(step: ConfigStep, group: u16, kind: u16, payload: Vec<u8>) -> Self {
        ConfigRequest {
            step,
            family: linx_nfnl::family::UNSPEC,
            res_id: group,
            attr: (kind, payload),
        }
    }

    /// Append the request, with sequence number `seq`, to `buf`.
    pub(crate) fn encode(&self, seq: u32, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        let kind = msg_type(subsys::ULOG, NFULNL_MSG_CONFIG);
        let mut w = MsgWriter::begin(buf, kind, NLM_F_REQUEST | NLM_F_ACK, seq);
        let h = NfGenMsg {
            res_id: self.res_id,
            ..NfGenMsg::new(self.family)
        };
        w.put_bytes(&h.to_bytes());
        AttrWriter::new(w.buffer()).put(self.attr.0, &self.attr.1)?;
        w.finish().map(|_| ())
    }
}

/// The start-up requests for `opts`, in order: `PF_BIND` per family, `BIND`, `CFG_MODE`,
/// then `CFG_FLAGS`, `CFG_QTHRESH` and `CFG_TIMEOUT` when they differ from the defaults.
pub(crate) fn startup(opts: &ListenOptions) -> Vec<ConfigRequest> {
    let group = opts.group();
    let mut reqs: Vec<ConfigRequest> = opts
        .family_list()
        .iter()
        .map(|&f| {
            ConfigRequest::command(
                ConfigStep::PfBind(f),
                f.nfproto(),
                0,
                NFULNL_CFG_CMD_PF_BIND,
            )
        })
        .collect();
    reqs.push(ConfigRequest::command(
        ConfigStep::Bind,
        linx_nfnl::family::UNSPEC,
        group,
        NFULNL_CFG_CMD_BIND,
    ));
    // struct nfulnl_msg_config_mode: copy_range BE32, copy_mode u8, _pad u8 (packed).
    let (mode, range) = opts.copy_mode_value().wire();
    let mut m = range.to_be_bytes().to_vec();
    m.extend_from_slice(&[mode, 0]);
    reqs.push(ConfigRequest::attr(
        ConfigStep::Mode,
        group,
        NFULA_CFG_MODE,
        m,
    ));
    let flags = opts.flags_value();
    if !flags.is_empty() {
        let p = flags.bits().to_be_bytes().to_vec();
        reqs.push(ConfigRequest::attr(
            ConfigStep::Flags,
            group,
            NFULA_CFG_FLAGS,
            p,
        ));
    }
    if opts.qthreshold_value() > 1 {
        let p = opts.qthreshold_value().to_be_bytes().to_vec();
        reqs.push(ConfigRequest::attr(
            ConfigStep::Qthresh,
            group,
            NFULA_CFG_QTHRESH,
            p,
        ));
    }
    if let Some(ticks) = opts.timeout_ticks() {
        let p = ticks.to_be_bytes().to_vec();
        reqs.push(ConfigRequest::attr(
            ConfigStep::Timeout,
            group,
            NFULA_CFG_TIMEOUT,
            p,
        ));
    }
    reqs
}

/// The stop requests: `UNBIND` of the group, then `PF_UNBIND` per family.
pub(crate) fn stop(opts: &ListenOptions) -> Vec<ConfigRequest> {
    let mut reqs = vec![ConfigRequest::command(
        ConfigStep::Unbind,
        linx_nfnl::family::UNSPEC,
        opts.group(),
        NFULNL_CFG_CMD_UNBIND,
    )];
    reqs.extend(opts.family_list().iter().map(|&f| {
        ConfigRequest::command(
            ConfigStep::PfUnbind(f),
            f.nfproto(),
            0,
            NFULNL_CFG_CMD_PF_UNBIND,
        )
    }));
    reqs
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::nflog::{ConfigFlags, CopyMode, LogFamily};

    fn encoded(r: &ConfigRequest, seq: u32) -> Vec<u8> {
        let mut b = Vec::new();
        r.encode(seq, &mut b).unwrap();
        b
    }

    /// nlmsghdr (host order) + nfgenmsg + one attribute, built by hand.
    fn expected(seq: u32, family: u8, res_id: u16, attr: u16, payload: &[u8]) -> Vec<u8> {
        let attr_len = 4 + payload.len();
        // The attribute's padding counts in nlmsg_len.
        let len = 16 + 4 + attr_len.next_multiple_of(4);
        let mut b = Vec::new();
        b.extend_from_slice(&(len as u32).to_ne_bytes());
        b.extend_from_slice(&0x0401u16.to_ne_bytes()); // ULOG << 8 | CONFIG
        b.extend_from_slice(&0x0005u16.to_ne_bytes()); // REQUEST | ACK
        b.extend_from_slice(&seq.to_ne_bytes());
        b.extend_from_slice(&0u32.to_ne_bytes());
        b.extend_from_slice(&[family, 0]);
        b.extend_from_slice(&res_id.to_be_bytes());
        b.extend_from_slice(&(attr_len as u16).to_ne_bytes());
        b.extend_from_slice(&attr.to_ne_bytes());
        b.extend_from_slice(payload);
        while b.len() % 4 != 0 {
            b.push(0);
        }
        b
    }

    #[test]
    fn default_startup_is_pf_binds_bind_and_mode() {
        let opts = ListenOptions::new(5).unwrap();
        let reqs = startup(&opts);
        let steps: Vec<_> = reqs.iter().map(|r| r.step).collect();
        assert_eq!(
            steps,
            [
                ConfigStep::PfBind(LogFamily::Ipv4),
                ConfigStep::PfBind(LogFamily::Ipv6),
                ConfigStep::Bind,
                ConfigStep::Mode
            ]
        );
        assert_eq!(encoded(&reqs[0], 1), expected(1, 2, 0, 1, &[3]));
        assert_eq!(encoded(&reqs[1], 2), expected(2, 10, 0, 1, &[3]));
        assert_eq!(encoded(&reqs[2], 3), expected(3, 0, 5, 1, &[1]));
        // copy_range 0, COPY_META, pad.
        assert_eq!(
            encoded(&reqs[3], 4),
            expected(4, 0, 5, 2, &[0, 0, 0, 0, 1, 0])
        );
        assert_eq!(encoded(&reqs[3], 4).len(), 32);
    }

    #[test]
    fn every_option_is_sent_in_order_big_endian() {
        let opts = ListenOptions::new(0x1234)
            .unwrap()
            .copy_mode(CopyMode::packet())
            .flags(ConfigFlags::SEQ | ConfigFlags::CONNTRACK)
            .qthreshold(20)
            .timeout(Duration::from_millis(1500))
            .families([LogFamily::Bridge, LogFamily::Arp, LogFamily::Bridge]);
        let reqs = startup(&opts);
        let steps: Vec<_> = reqs.iter().map(|r| r.step).collect();
        assert_eq!(
            steps,
            [
                ConfigStep::PfBind(LogFamily::Bridge),
                ConfigStep::PfBind(LogFamily::Arp),
                ConfigStep::Bind,
                ConfigStep::Mode,
                ConfigStep::Flags,
                ConfigStep::Qthresh,
                ConfigStep::Timeout
            ]
        );
        assert_eq!(encoded(&reqs[0], 9), expected(9, 7, 0, 1, &[3]));
        assert_eq!(encoded(&reqs[1], 9), expected(9, 3, 0, 1, &[3]));
        assert_eq!(encoded(&reqs[2], 9), expected(9, 0, 0x1234, 1, &[1]));
        assert_eq!(
            encoded(&reqs[3], 9),
            expected(9, 0, 0x1234, 2, &[0, 0, 0xff, 0xff, 2, 0])
        );
        assert_eq!(encoded(&reqs[4], 9), expected(9, 0, 0x1234, 6, &[0, 5]));
        assert_eq!(
            encoded(&reqs[5], 9),
            expected(9, 0, 0x1234, 5, &[0, 0, 0, 20])
        );
        assert_eq!(
            encoded(&reqs[6], 9),
            expected(9, 0, 0x1234, 4, &[0, 0, 0, 150])
        );
    }

    #[test]
    fn stop_unbinds_the_group_then_the_families() {
        let opts = ListenOptions::new(7).unwrap();
        let reqs = stop(&opts);
        assert_eq!(encoded(&reqs[0], 1), expected(1, 0, 7, 1, &[2]));
        assert_eq!(encoded(&reqs[1], 2), expected(2, 2, 0, 1, &[4]));
        assert_eq!(encoded(&reqs[2], 3), expected(3, 10, 0, 1, &[4]));
        assert_eq!(reqs.len(), 3);
    }
}
