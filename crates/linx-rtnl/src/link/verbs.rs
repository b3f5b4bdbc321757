//! The link verbs and the requests they send: list and get, create and delete, and the
//! `RTM_SETLINK` changes (up/down, MTU, name, address, master, namespace).
//!
//! # Contract
//! Every change names the link by `IFLA_IFNAME` (or by index once resolved) and carries only
//! what it changes; a refusal about a named link names it (`link "ve0": EEXIST (17)`).

use linx_ip::IntoMac;
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    AttrWriter, Call, DecodeError, Dumped, Errno, FixedHeader, MsgView, Request, Transport,
};
use linx_netlink_sys::Netns;

use super::index_of;
use super::new::NewLink;
use super::types::Link;
use super::{IFF_UP, IFLA_ADDRESS, IFLA_MASTER, IFLA_NET_NS_FD, IFLA_NET_NS_PID};
use crate::error::{Error, about, no_such, on_link};
use crate::ifindex::{IfInfoMsg, by_name, check_name, header};
use crate::verb::verb;

/// The decoder of link dumps: [`Link::from_msg`].
pub type LinkDecoder = fn(&MsgView<'_>) -> Result<Link, DecodeError>;

/// What a link dump asks the kernel for beyond the links themselves: a builder for
/// [`list_with`] and [`ListOptions::call`].
///
/// The default asks for nothing extra and sends no `IFLA_EXT_MASK`. Any mask makes the
/// kernel size every link of the namespace before the dump starts (`if_nlmsg_size` for
/// each), a cost of the order of dumping the link itself; VF information exists only for
/// SR-IOV physical functions, so it is opt-in.
///
/// ```
/// use linx_rtnl::link::ListOptions;
/// let plain = ListOptions::new().call();
/// assert_eq!(plain.request.payload().len(), 16); // ifinfomsg, no attributes
/// let vf = ListOptions::new().vf_info(true).call();
/// assert_eq!(vf.request.payload().len(), 24); // + IFLA_EXT_MASK = RTEXT_FILTER_VF
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use = "ListOptions does nothing until passed to link::list_with or called"]
pub struct ListOptions {
    vf_info: bool,
}

impl ListOptions {
    /// Nothing extra: the links' own attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask for VF information (`IFLA_EXT_MASK` with `RTEXT_FILTER_VF`: `IFLA_NUM_VF`,
    /// `IFLA_VFINFO_LIST` of SR-IOV physical functions), kept in [`Link::other`].
    pub fn vf_info(mut self, on: bool) -> Self {
        self.vf_info = on;
        self
    }

    /// The dump call these options describe: an `RTM_GETLINK` dump decoded into
    /// [`Link`]s. Use it to stream ([`Call::stream`]) instead of collecting.
    pub fn call(&self) -> Call<LinkDecoder> {
        let mut p = header(0, 0, 0);
        let mask = if self.vf_info { RTEXT_FILTER_VF } else { 0 };
        if mask != 0 {
            // Cannot fail: a 4-byte attribute.
            let _ = AttrWriter::new(&mut p).put_u32(IFLA_EXT_MASK, mask);
        }
        Call::new(
            Request::dump(RTM_GETLINK, p).with_header_len(IfInfoMsg::LEN),
            Link::from_msg as LinkDecoder,
        )
    }
}

/// The call behind [`list`]: an `RTM_GETLINK` dump decoded into [`Link`]s, with the default
/// [`ListOptions`] (no VF information). Use it to stream ([`Call::stream`]) instead of
/// collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::link::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<LinkDecoder> {
    ListOptions::new().call()
}

verb! {
    /// All links of the socket's namespace, dumped with `options` (VF information only when
    /// asked for).
    ///
    /// ```no_run
    /// use linx_rtnl::link::{self, ListOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let links = link::list_with(&sock, ListOptions::new().vf_info(true))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn list_with(sock, options: ListOptions) -> Dumped<Link> {
        Ok(sock.collect(options.call()).await?)
    }
}

verb! {
    /// All links of the socket's namespace. Like every `list` verb it returns a
    /// [`Dumped`]: the items (it reads like a `Vec`) and how many times the kernel
    /// interrupted the dump (`NLM_F_DUMP_INTR`) before a consistent one came through. The
    /// bound on those restarts is the request's: set it through [`list_call`]. No VF
    /// information is asked for; see [`list_with`].
    ///
    /// ```no_run
    /// use linx_netlink_codec::Call;
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let links = linx_rtnl::link::list(&sock)?;
    /// println!("{} links after {} restarts", links.len(), links.retries);
    /// // A tighter bound than the default (engine::DEFAULT_DUMP_RETRIES):
    /// let links = linx_rtnl::link::list_call().map_request(|r| r.with_dump_retries(3)).collect(&sock)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Link> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The link named `name`; `ENODEV` reads `no such interface "name"`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo = linx_rtnl::link::get(&sock, "lo")?;
    /// assert!(lo.is_up());
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn get(sock, name: &str) -> Link {
        get_link(sock, name).await.map_err(|e| on_link(e, name))
    }
}

pub(crate) async fn get_link<S: Transport>(sock: &S, name: &str) -> Result<Link, Error> {
    let call = Call::new(by_name(RTM_GETLINK, 0, name)?, Link::from_msg);
    match sock.single(call).await {
        Ok(Some(l)) => Ok(l),
        Ok(None) => Err(no_such(
            Error::Netlink(linx_netlink_codec::NetlinkError::new(Errno::ENODEV)),
            "interface",
            name,
        )),
        Err(e) => Err(no_such(e.into(), "interface", name)),
    }
}

verb! {
    /// The link with index `index`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo = linx_rtnl::link::get_by_index(&sock, 1)?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn get_by_index(sock, index: u32) -> Link {
        let req = Request::new(RTM_GETLINK, 0, header(index, 0, 0)).with_header_len(IfInfoMsg::LEN);
        match sock.single(Call::new(req, Link::from_msg)).await {
            Ok(Some(l)) => Ok(l),
            Ok(None) => Err(Error::Netlink(linx_netlink_codec::NetlinkError::new(Errno::ENODEV))),
            Err(e) => Err(no_such(e.into(), "interface index", &index.to_string())),
        }
    }
}

verb! {
    /// Whether the link named `name` is administratively up (`IFF_UP`).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// assert!(linx_rtnl::link::is_up(&sock, "lo")?);
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn is_up(sock, name: &str) -> bool {
        Ok(get_link(sock, name).await.map_err(|e| on_link(e, name))?.is_up())
    }
}

verb! {
    /// Create a link (`RTM_NEWLINK` with `NLM_F_CREATE | NLM_F_EXCL`): `EEXIST` if the name is
    /// taken, [`Error::KindNotSupported`] when the kernel lacks the kind, `no such parent
    /// interface "x"` when a parent is missing.
    ///
    /// ```no_run
    /// use linx_rtnl::link::{self, NewLink};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// link::add(&sock, NewLink::veth("ve0", "ve1").mtu(9000))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add(sock, spec: NewLink) -> () {
        spec.validate()?;
        let mut idx = Vec::new();
        for (name, what) in spec.names() {
            let index = index_of(sock, name, what).await.map_err(|e| about(e, "link", spec.name()))?;
            idx.push((name.to_owned(), index));
        }
        let payload = spec.encode(|n| idx.iter().find(|(m, _)| m == n).map_or(0, |x| x.1))?;
        let req = Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, payload).with_header_len(IfInfoMsg::LEN);
        sock.ack(req).await.map_err(|e| about(kind_error(e.into(), spec.kind().kind()), "link", spec.name()))
    }
}

pub(crate) fn kind_error(e: Error, kind: &str) -> Error {
    match e {
        Error::Netlink(n)
            if n.errno == Errno::EOPNOTSUPP
                && n.message()
                    .is_none_or(|m| m.contains("Unknown device type")) =>
        {
            Error::KindNotSupported {
                kind: kind.to_owned(),
                source: n,
            }
        }
        other => other,
    }
}

verb! {
    /// Delete the link named `name`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::delete(&sock, "ve0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete(sock, name: &str) -> () {
        let req = delete_request(name)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

/// The `RTM_DELLINK` request [`delete`] sends.
///
/// ```
/// let req = linx_rtnl::link::delete_request("ve0").unwrap();
/// assert_eq!(req.kind(), linx_netlink_codec::consts::RTM_DELLINK);
/// ```
pub fn delete_request(name: &str) -> Result<Request, Error> {
    by_name(RTM_DELLINK, 0, name)
}

/// The `RTM_SETLINK` request [`set_up`] (`up = true`) or [`set_down`] sends: by name, only
/// `IFF_UP` in the change mask.
///
/// ```
/// let req = linx_rtnl::link::set_up_request("ve0", true).unwrap();
/// assert_eq!(&req.payload()[8..16], &[1, 0, 0, 0, 1, 0, 0, 0]);
/// ```
pub fn set_up_request(name: &str, up: bool) -> Result<Request, Error> {
    set_req(name, if up { IFF_UP } else { 0 }, IFF_UP, |_| Ok(()))
}

/// The `RTM_SETLINK` request [`set_mtu`] sends: by name, only `IFLA_MTU`.
///
/// ```
/// assert!(linx_rtnl::link::set_mtu_request("ve0", 0).is_err());
/// ```
pub fn set_mtu_request(name: &str, mtu: u32) -> Result<Request, Error> {
    if mtu == 0 {
        return Err(Error::BadOption {
            name: "mtu",
            value: "0 (must be > 0)".into(),
        });
    }
    set_req(name, 0, 0, |w| Ok(w.put_u32(IFLA_MTU, mtu)?))
}

/// An `RTM_SETLINK` for `name` with extra attributes written by `f`.
fn set_req(
    name: &str,
    flags: u32,
    change: u32,
    f: impl FnOnce(&mut AttrWriter<'_, Vec<u8>>) -> Result<(), Error>,
) -> Result<Request, Error> {
    check_name(name)?;
    let mut p = header(0, flags, change);
    let mut w = AttrWriter::new(&mut p);
    w.put_str(IFLA_IFNAME, name)?;
    f(&mut w)?;
    Ok(Request::new(RTM_SETLINK, 0, p).with_header_len(IfInfoMsg::LEN))
}

verb! {
    /// Bring `name` up: only `IFF_UP` changes.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_up(&sock, "lo")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_up(sock, name: &str) -> () {
        let req = set_up_request(name, true)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Bring `name` down: only `IFF_UP` changes.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_down(&sock, "ve0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_down(sock, name: &str) -> () {
        let req = set_up_request(name, false)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Set the MTU of `name` (must be > 0; the kernel enforces the device's range).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_mtu(&sock, "ve0", 9000)?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_mtu(sock, name: &str, mtu: u32) -> () {
        let req = set_mtu_request(name, mtu)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Rename `name` to `new_name` (the link must be down).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_name(&sock, "ve0", "uplink")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_name(sock, name: &str, new_name: &str) -> () {
        check_name(new_name)?;
        let index = index_of(sock, name, "interface").await.map_err(|e| on_link(e, name))?;
        let mut p = header(index, 0, 0);
        AttrWriter::new(&mut p).put_str(IFLA_IFNAME, new_name)?;
        let req = Request::new(RTM_SETLINK, 0, p).with_header_len(IfInfoMsg::LEN);
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Set the hardware address of `name` (a [`Mac`] or its string form).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_address(&sock, "ve0", "02:00:00:00:00:01")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_address(sock, name: &str, mac: impl IntoMac) -> () {
        let mac = mac.into_mac()?;
        let req = set_req(name, 0, 0, |w| Ok(w.put(IFLA_ADDRESS, mac.as_bytes())?))?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Enslave `name` to `master` (a bridge, typically).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_master(&sock, "ve0", "br0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_master(sock, name: &str, master: &str) -> () {
        let m = index_of(sock, master, "master interface").await.map_err(|e| about(e, "link", name))?;
        let req = set_req(name, 0, 0, |w| Ok(w.put_u32(IFLA_MASTER, m)?))?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Release `name` from its master.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_nomaster(&sock, "ve0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_nomaster(sock, name: &str) -> () {
        let req = set_req(name, 0, 0, |w| Ok(w.put_u32(IFLA_MASTER, 0)?))?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Move `name` into another network namespace: `Netns::Pid` uses `IFLA_NET_NS_PID`,
    /// `Netns::Path` (and `Host`, the caller's own) open the namespace file and use
    /// `IFLA_NET_NS_FD`. A file that does not open is the socket layer's namespace error
    /// (`open network namespace "/run/netns/blue": ENOENT (2)`).
    ///
    /// ```no_run
    /// use linx_netlink_sys::Netns;
    /// let sock = linx_rtnl::open(Netns::Host)?;
    /// linx_rtnl::link::move_to_netns(&sock, "ve1", &Netns::Path("/run/netns/blue".into()))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn move_to_netns(sock, name: &str, target: &Netns) -> () {
        let file = match target {
            Netns::Pid(_) => None,
            Netns::Host => Some("/proc/self/ns/net".into()),
            Netns::Path(p) => Some(p.clone()),
        };
        let fd = match &file {
            Some(p) => Some(std::fs::File::open(p).map_err(|e| linx_netlink_sys::Error::Netns {
                stage: linx_netlink_sys::Stage::Open,
                path: p.clone(),
                errno: e.raw_os_error().map_or(Errno::EIO, Errno::from_raw),
            })?),
            None => None,
        };
        let req = set_req(name, 0, 0, |w| {
            match (target, &fd) {
                (Netns::Pid(pid), _) => w.put_u32(IFLA_NET_NS_PID, *pid)?,
                (_, Some(f)) => {
                    use std::os::fd::AsRawFd;
                    w.put_u32(IFLA_NET_NS_FD, f.as_raw_fd() as u32)?
                }
                _ => {}
            }
            Ok(())
        })?;
        let r = sock.ack(req).await.map_err(|e| on_link(e, name));
        drop(fd); // the fd must stay open until the kernel has acted
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linx_netlink_codec::AttrIter;

    fn ext_mask(c: &Call<LinkDecoder>) -> Option<u32> {
        let p = c.request.payload();
        AttrIter::new(&p[IfInfoMsg::LEN..])
            .filter_map(Result::ok)
            .find(|a| a.kind() == IFLA_EXT_MASK)
            .map(|a| u32::from_ne_bytes(a.payload().try_into().unwrap()))
    }

    #[test]
    fn the_dump_carries_the_ext_mask_only_when_asked() {
        assert_eq!(ext_mask(&list_call()), None);
        assert_eq!(list_call().request.payload().len(), IfInfoMsg::LEN);
        assert_eq!(ext_mask(&ListOptions::new().vf_info(false).call()), None);
        let vf = ListOptions::new().vf_info(true).call();
        assert_eq!(ext_mask(&vf), Some(RTEXT_FILTER_VF));
        assert_eq!(vf.request.kind(), RTM_GETLINK);
    }
}
