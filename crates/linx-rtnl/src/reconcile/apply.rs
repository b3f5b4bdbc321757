//! Applying a [`Plan`]: one kernel call per step, in order, stopping at the first failure.
//!
//! # Contract
//! - Fail-fast: the first refused step is the report's `failed`, the steps after it are
//!   `pending`; nothing is rolled back (the next pass heals).
//! - A delete whose object is already gone counts as applied: an address, neighbour or route
//!   on a vanished link (`ENODEV`), an address or neighbour no longer there
//!   (`EADDRNOTAVAIL`, `ENOENT`), a route (`ESRCH`), a rule (`ENOENT`), a link (`ENODEV`).
//! - Names of links created by this pass are resolved when a later step needs them (one
//!   `RTM_GETLINK` each).
//! - Ownership changes only for applied steps.

use std::collections::HashMap;
use std::os::fd::AsRawFd;

use linx_netlink_codec::consts::{
    IFLA_IFNAME, IFLA_MTU, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELROUTE, RTM_DELRULE,
    RTM_NEWLINK, RTM_NEWROUTE, RTM_NEWRULE, RTM_SETLINK,
};
use linx_netlink_codec::{AttrWriter, Errno, FixedHeader, Request, Transport};

use super::diff::Op;
use super::plan::{
    Plan, Step, StepKind, WantLink, WantRoute, addr_subnet, new_link, owned_address,
    owned_neighbour, peer_netns, rule_key,
};
use super::report::{Failure, Report};
use super::state::{LastApplied, OwnedAddress, OwnedNeighbour};
use crate::error::{Error, about};
use crate::ifindex::{IfInfoMsg, header};
use crate::link::{IFF_UP, IFLA_ADDRESS, IFLA_MASTER, PeerNs, index_of, kind_error};
use crate::neigh::NudState;
use crate::route::{Route, RouteType, RtMsg, Scope};
use crate::rule::{FibRuleHdr, Rule};

/// Apply `plan` on `sock`.
pub(crate) async fn run<S: Transport>(sock: &S, plan: Plan) -> Report {
    let Plan {
        steps,
        mut last_applied,
        mut indexes,
    } = plan;
    let mut applied = Vec::with_capacity(steps.len());
    let mut steps = steps.into_iter();
    let mut failed = None;
    for step in steps.by_ref() {
        match one(sock, &step, &mut indexes).await {
            Ok(()) => {
                tracing::debug!(step = %step, "applied");
                own(&mut last_applied, &step);
                applied.push(step);
            }
            Err(error) => {
                tracing::warn!(step = %step, %error, "step failed; the rest of the pass is pending");
                failed = Some(Failure { step, error });
                break;
            }
        }
    }
    Report {
        applied,
        failed,
        pending: steps.collect(),
        last_applied,
    }
}

/// Record what an applied step changes in ownership.
fn own(l: &mut LastApplied, step: &Step) {
    match &step.kind {
        StepKind::Link(Op::Create(d)) if d.cfg.kind.is_some() => {
            l.links.insert(d.cfg.name.clone());
        }
        StepKind::Link(Op::Delete(o)) => {
            l.links.remove(&o.name);
        }
        StepKind::Address(Op::Create(d)) => {
            l.addresses.insert(owned_address(d));
        }
        StepKind::Address(Op::Delete(s)) => {
            l.addresses.remove(&OwnedAddress {
                dev: s.dev.clone(),
                address: addr_subnet(&s.obj),
            });
        }
        StepKind::Neighbour(Op::Create(d)) => {
            l.neighbours.insert(owned_neighbour(d));
        }
        StepKind::Neighbour(Op::Delete(s)) => {
            if let Some(a) = s.obj.dst {
                l.neighbours.remove(&OwnedNeighbour {
                    dev: s.dev.clone(),
                    address: a,
                });
            }
        }
        StepKind::Rule(Op::Create(r)) => {
            l.rules.insert(rule_key(r));
        }
        StepKind::Rule(Op::Delete(r)) => {
            l.rules.remove(&rule_key(r));
        }
        _ => {}
    }
}

/// The index of link `name`: known, or looked up (a link this pass created).
async fn resolve<S: Transport>(
    sock: &S,
    indexes: &mut HashMap<String, u32>,
    name: &str,
) -> Result<u32, Error> {
    if let Some(i) = indexes.get(name) {
        return Ok(*i);
    }
    let i = index_of(sock, name, "interface").await?;
    indexes.insert(name.to_owned(), i);
    Ok(i)
}

/// `Ok` when `e` says the object a delete aimed at is already gone.
fn gone(e: Error, errnos: &[Errno]) -> Result<(), Error> {
    match e.errno() {
        Some(n) if errnos.contains(&n) => Ok(()),
        _ => Err(e),
    }
}

async fn one<S: Transport>(
    sock: &S,
    step: &Step,
    indexes: &mut HashMap<String, u32>,
) -> Result<(), Error> {
    let obj = step.object();
    let named = |e: Error| about(e, step.resource(), &obj);
    match &step.kind {
        StepKind::Link(Op::Create(d)) => link_create(sock, d, indexes).await,
        StepKind::Link(Op::Update(d, _)) => link_update(sock, d, indexes).await,
        StepKind::Link(Op::Delete(l)) => {
            let req = crate::link::delete_request(&l.name)?;
            match sock.ack(req).await {
                Ok(()) => {
                    indexes.remove(&l.name);
                    Ok(())
                }
                Err(e) => gone(e.into(), &[Errno::ENODEV]).map_err(named),
            }
        }
        StepKind::Address(Op::Create(d) | Op::Update(d, _)) => {
            let index = resolve(sock, indexes, &d.dev).await.map_err(named)?;
            let req = crate::addr::replace_request(index, d.address, &Default::default())?;
            sock.ack(req).await.map_err(|e| named(e.into()))
        }
        StepKind::Address(Op::Delete(s)) => {
            let req = crate::addr::delete_request(s.obj.index, addr_subnet(&s.obj))?;
            match sock.ack(req).await {
                Ok(()) => Ok(()),
                Err(e) => gone(e.into(), &[Errno::ENODEV, Errno::EADDRNOTAVAIL]).map_err(named),
            }
        }
        StepKind::Neighbour(Op::Create(d) | Op::Update(d, _)) => {
            let index = resolve(sock, indexes, &d.dev).await.map_err(named)?;
            let req =
                crate::neigh::replace_request(index, d.address, d.lladdr, NudState::PERMANENT)?;
            sock.ack(req).await.map_err(|e| named(e.into()))
        }
        StepKind::Neighbour(Op::Delete(s)) => {
            let Some(ip) = s.obj.dst else { return Ok(()) };
            let req = crate::neigh::delete_request(s.obj.index, ip)?;
            match sock.ack(req).await {
                Ok(()) => Ok(()),
                Err(e) => gone(e.into(), &[Errno::ENODEV, Errno::ENOENT]).map_err(named),
            }
        }
        StepKind::Route(Op::Create(d) | Op::Update(d, _)) => {
            let payload = route_payload(sock, d, indexes).await.map_err(named)?;
            let req = Request::new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, payload)
                .with_header_len(RtMsg::LEN);
            sock.ack(req).await.map_err(|e| named(e.into()))
        }
        StepKind::Route(Op::Delete(o)) => {
            let r = Route {
                family: o.family,
                dst_len: o.dst_len,
                tos: o.tos,
                header_table: o.header_table,
                protocol: o.protocol,
                scope: Scope::NOWHERE,
                route_type: RouteType::Unspec,
                dst: o.dst,
                metric: o.metric,
                table_ext: Some(o.table()),
                ..Default::default()
            };
            let mut p = Vec::with_capacity(r.buffer_len());
            r.emit(&mut p)?;
            let req = Request::new(RTM_DELROUTE, 0, p).with_header_len(RtMsg::LEN);
            match sock.ack(req).await {
                Ok(()) => Ok(()),
                Err(e) => gone(e.into(), &[Errno::ESRCH, Errno::ENODEV]).map_err(named),
            }
        }
        StepKind::Rule(Op::Update(r, o)) => {
            // The action is not part of a rule's identity for the kernel's duplicate check
            // either: add the new rule, then delete the old one.
            let req = rule_request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r)?;
            sock.ack(req).await.map_err(|e| named(e.into()))?;
            let req = rule_request(RTM_DELRULE, 0, o)?;
            match sock.ack(req).await {
                Ok(()) => Ok(()),
                Err(e) => gone(e.into(), &[Errno::ENOENT]).map_err(named),
            }
        }
        StepKind::Rule(Op::Create(r)) => {
            let req = rule_request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r)?;
            sock.ack(req).await.map_err(|e| named(e.into()))
        }
        StepKind::Rule(Op::Delete(r)) => {
            let req = rule_request(RTM_DELRULE, 0, r)?;
            match sock.ack(req).await {
                Ok(()) => Ok(()),
                Err(e) => gone(e.into(), &[Errno::ENOENT]).map_err(named),
            }
        }
    }
}

fn rule_request(kind: u16, flags: u16, r: &Rule) -> Result<Request, Error> {
    let mut p = Vec::with_capacity(r.buffer_len());
    r.emit(&mut p)?;
    Ok(Request::new(kind, flags, p).with_header_len(FibRuleHdr::LEN))
}

async fn route_payload<S: Transport>(
    sock: &S,
    d: &WantRoute,
    indexes: &mut HashMap<String, u32>,
) -> Result<Vec<u8>, Error> {
    let mut r = d.route.clone();
    if let Some(dev) = &d.dev {
        r.oif = Some(resolve(sock, indexes, dev).await?);
    }
    let mut hops = Vec::with_capacity(d.hops.len());
    for h in &d.hops {
        let oif = match &h.dev {
            Some(dev) => resolve(sock, indexes, dev).await?,
            None => 0,
        };
        hops.push((h.gateway, oif, h.hops));
    }
    let mut p = Vec::with_capacity(r.buffer_len() + 24 * hops.len());
    r.emit(&mut p)?;
    if !hops.is_empty() {
        super::multipath::put(&mut AttrWriter::new(&mut p), &hops)?;
    }
    Ok(p)
}

async fn link_create<S: Transport>(
    sock: &S,
    d: &WantLink,
    indexes: &mut HashMap<String, u32>,
) -> Result<(), Error> {
    let name = d.cfg.name.as_str();
    let Some(kind) = &d.cfg.kind else {
        // The plan turns creates of kind-less links into updates; never report one done.
        return Err(Error::MissingOption("link kind"));
    };
    let spec = new_link(&d.cfg, kind);
    let mut idx: Vec<(String, u32)> = Vec::new();
    for (n, _) in spec.names() {
        let i = resolve(sock, indexes, n)
            .await
            .map_err(|e| about(e, "link", name))?;
        idx.push((n.to_owned(), i));
    }
    let file = match peer_netns(&d.cfg) {
        Some(p) => Some(std::fs::File::open(p).map_err(|e| {
            Error::from(linx_netlink_sys::Error::Netns {
                stage: linx_netlink_sys::Stage::Open,
                path: p.clone(),
                errno: e.raw_os_error().map_or(Errno::EIO, Errno::from_raw),
            })
        })?),
        None => None,
    };
    let peer = file
        .as_ref()
        .map_or(PeerNs::Here, |f| PeerNs::Fd(f.as_raw_fd()));
    let payload = spec.encode_in(
        |n| idx.iter().find(|(m, _)| m == n).map_or(0, |x| x.1),
        peer,
    )?;
    let req = Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, payload)
        .with_header_len(IfInfoMsg::LEN);
    let r = sock
        .ack(req)
        .await
        .map_err(|e| about(kind_error(e.into(), kind.kind()), "link", name));
    // The namespace file stays open until the kernel has answered.
    drop(file);
    r
}

async fn link_update<S: Transport>(
    sock: &S,
    d: &WantLink,
    indexes: &mut HashMap<String, u32>,
) -> Result<(), Error> {
    let c = &d.cfg;
    let master = match &c.master {
        Some(m) => Some(
            resolve(sock, indexes, m)
                .await
                .map_err(|e| about(e, "link", &c.name))?,
        ),
        None => None,
    };
    let (flags, change) = match c.up {
        Some(true) => (IFF_UP, IFF_UP),
        Some(false) => (0, IFF_UP),
        None => (0, 0),
    };
    let mut p = header(0, flags, change);
    let mut w = AttrWriter::new(&mut p);
    w.put_str(IFLA_IFNAME, &c.name)?;
    if let Some(m) = c.mtu {
        w.put_u32(IFLA_MTU, m)?;
    }
    if let Some(a) = c.address {
        w.put(IFLA_ADDRESS, a.as_bytes())?;
    }
    if let Some(m) = master {
        w.put_u32(IFLA_MASTER, m)?;
    }
    let req = Request::new(RTM_SETLINK, 0, p).with_header_len(IfInfoMsg::LEN);
    sock.ack(req)
        .await
        .map_err(|e| crate::error::on_link(e, &c.name))
}
