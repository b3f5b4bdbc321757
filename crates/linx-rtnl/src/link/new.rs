//! [`NewLink`]: the builder of a link to create, and the `RTM_NEWLINK` payload it encodes.
//!
//! # Contract
//! [`NewLink::validate`] checks everything that can be checked without the kernel (names,
//! MTU, address, VLAN id, VNI, address families) and [`NewLink::encode`] refuses what it
//! refuses; names of other links (parent, master, underlay) are resolved by the caller.

use linx_ip::{IntoMac, Ip, Mac};
use linx_netlink_codec::consts::{IFLA_IFNAME, IFLA_MTU};
use linx_netlink_codec::{AttrValue, AttrWriter, RawAttrs};

use super::kinds::{IpvlanMode, MacvlanMode, Vxlan};
use super::types::{Link, LinkData};
use super::{
    IFF_UP, IFLA_ADDRESS, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_MASTER,
    IFLA_NET_NS_FD,
};
use crate::error::Error;
use crate::ifindex::{check_name, header};

/// Where the peer of a veth pair is created (see [`NewLink::encode_in`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PeerNs {
    /// The namespace of the request's socket (no attribute).
    Here,
    /// The namespace an open file descriptor names (`IFLA_NET_NS_FD`).
    Fd(i32),
}

impl PeerNs {
    /// The attributes the peer's `ifinfomsg` carries for this namespace.
    fn attrs(self) -> Result<RawAttrs, Error> {
        let mut a = RawAttrs::default();
        match self {
            PeerNs::Here => {}
            PeerNs::Fd(fd) => a.push_raw(IFLA_NET_NS_FD, &(fd as u32).to_ne_bytes())?,
        }
        Ok(a)
    }
}

/// What kind of link [`add`](super::add) creates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewKind {
    /// A veth pair; the peer gets this name.
    Veth {
        /// Peer name.
        peer: String,
    },
    /// A bridge.
    Bridge,
    /// A dummy link.
    Dummy,
    /// A macvlan on `parent`.
    Macvlan {
        /// Parent link name.
        parent: String,
        /// Mode.
        mode: MacvlanMode,
    },
    /// An ipvlan on `parent`.
    Ipvlan {
        /// Parent link name.
        parent: String,
        /// Mode.
        mode: IpvlanMode,
    },
    /// An 802.1Q VLAN on `parent`.
    Vlan {
        /// Parent link name.
        parent: String,
        /// VLAN id, 1..=4094.
        id: u16,
    },
    /// A VXLAN.
    Vxlan {
        /// VNI, 0..2^24.
        vni: u32,
        /// UDP port (the kernel defaults to 8472 when absent; IANA's is 4789).
        port: Option<u16>,
        /// Multicast group or unicast remote.
        remote: Option<Ip>,
        /// Source address.
        local: Option<Ip>,
        /// Underlay device name.
        underlay: Option<String>,
    },
}

impl NewKind {
    /// The `IFLA_INFO_KIND` string.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::link::NewKind::Bridge.kind(), "bridge");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            NewKind::Veth { .. } => "veth",
            NewKind::Bridge => "bridge",
            NewKind::Dummy => "dummy",
            NewKind::Macvlan { .. } => "macvlan",
            NewKind::Ipvlan { .. } => "ipvlan",
            NewKind::Vlan { .. } => "vlan",
            NewKind::Vxlan { .. } => "vxlan",
        }
    }
}

/// A link to create: name, kind and optional settings. Build it, then pass it to [`add`](super::add).
///
/// ```
/// use linx_rtnl::link::{NewLink, MacvlanMode};
/// let spec = NewLink::macvlan("mv0", "eth0", MacvlanMode::Bridge).mtu(1400).up();
/// assert_eq!(spec.name(), "mv0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a NewLink does nothing until passed to link::add"]
pub struct NewLink {
    name: String,
    kind: NewKind,
    mtu: Option<u32>,
    address: Option<Result<Mac, String>>,
    master: Option<String>,
    up: bool,
}

impl NewLink {
    /// A link `name` of `kind`.
    pub fn new(name: impl Into<String>, kind: NewKind) -> Self {
        NewLink {
            name: name.into(),
            kind,
            mtu: None,
            address: None,
            master: None,
            up: false,
        }
    }
    /// A veth pair `name` ↔ `peer`.
    pub fn veth(name: impl Into<String>, peer: impl Into<String>) -> Self {
        Self::new(name, NewKind::Veth { peer: peer.into() })
    }
    /// A bridge.
    pub fn bridge(name: impl Into<String>) -> Self {
        Self::new(name, NewKind::Bridge)
    }
    /// A dummy link.
    pub fn dummy(name: impl Into<String>) -> Self {
        Self::new(name, NewKind::Dummy)
    }
    /// A macvlan on `parent`.
    pub fn macvlan(name: impl Into<String>, parent: impl Into<String>, mode: MacvlanMode) -> Self {
        Self::new(
            name,
            NewKind::Macvlan {
                parent: parent.into(),
                mode,
            },
        )
    }
    /// An ipvlan on `parent`.
    pub fn ipvlan(name: impl Into<String>, parent: impl Into<String>, mode: IpvlanMode) -> Self {
        Self::new(
            name,
            NewKind::Ipvlan {
                parent: parent.into(),
                mode,
            },
        )
    }
    /// A VLAN `id` (1..=4094, checked by [`add`](super::add)) on `parent`.
    pub fn vlan(name: impl Into<String>, parent: impl Into<String>, id: u16) -> Self {
        Self::new(
            name,
            NewKind::Vlan {
                parent: parent.into(),
                id,
            },
        )
    }
    /// A VXLAN with `vni`; set the rest with [`vxlan_remote`](Self::vxlan_remote) etc.
    pub fn vxlan(name: impl Into<String>, vni: u32) -> Self {
        Self::new(
            name,
            NewKind::Vxlan {
                vni,
                port: None,
                remote: None,
                local: None,
                underlay: None,
            },
        )
    }
    /// VXLAN: destination UDP port.
    pub fn vxlan_port(mut self, port: u16) -> Self {
        if let NewKind::Vxlan { port: p, .. } = &mut self.kind {
            *p = Some(port);
        }
        self
    }
    /// VXLAN: unicast remote or multicast group.
    pub fn vxlan_remote(mut self, ip: Ip) -> Self {
        if let NewKind::Vxlan { remote, .. } = &mut self.kind {
            *remote = Some(ip);
        }
        self
    }
    /// VXLAN: local source address.
    pub fn vxlan_local(mut self, ip: Ip) -> Self {
        if let NewKind::Vxlan { local, .. } = &mut self.kind {
            *local = Some(ip);
        }
        self
    }
    /// VXLAN: underlay device.
    pub fn vxlan_underlay(mut self, dev: impl Into<String>) -> Self {
        if let NewKind::Vxlan { underlay, .. } = &mut self.kind {
            *underlay = Some(dev.into());
        }
        self
    }
    /// Set the MTU.
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }
    /// Set the hardware address (a [`Mac`] or its string form; checked by [`add`](super::add)).
    pub fn address(mut self, mac: impl IntoMac) -> Self {
        self.address = Some(mac.into_mac().map_err(|e| e.to_string()));
        self
    }
    /// Enslave to `master` (a bridge) on creation.
    pub fn master(mut self, master: impl Into<String>) -> Self {
        self.master = Some(master.into());
        self
    }
    /// Bring the link up on creation.
    pub fn up(mut self) -> Self {
        self.up = true;
        self
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The kind.
    pub fn kind(&self) -> &NewKind {
        &self.kind
    }

    /// Check everything that can be checked without the kernel.
    pub fn validate(&self) -> Result<(), Error> {
        check_name(&self.name)?;
        if self.mtu == Some(0) {
            return Err(Error::BadOption {
                name: "mtu",
                value: "0 (must be > 0)".into(),
            });
        }
        if let Some(Err(e)) = &self.address {
            return Err(Error::BadOption {
                name: "address",
                value: e.clone(),
            });
        }
        match &self.kind {
            NewKind::Veth { peer } => check_name(peer)?,
            NewKind::Macvlan { parent, .. } | NewKind::Ipvlan { parent, .. } => check_name(parent)?,
            NewKind::Vlan { parent, id } => {
                check_name(parent)?;
                if !(1..=4094).contains(id) {
                    return Err(Error::BadOption {
                        name: "vlan id",
                        value: format!("{id} (must be 1..=4094)"),
                    });
                }
            }
            NewKind::Vxlan {
                vni,
                remote,
                local,
                underlay,
                ..
            } => {
                if *vni >= 1 << 24 {
                    return Err(Error::BadOption {
                        name: "vni",
                        value: format!("{vni} (must be < 16777216)"),
                    });
                }
                if let (Some(r), Some(l)) = (remote, local) {
                    if r.family() != l.family() {
                        return Err(Error::FamilyMismatch(format!(
                            "vxlan remote {r} and local {l}"
                        )));
                    }
                }
                if let Some(u) = underlay {
                    check_name(u)?;
                }
            }
            NewKind::Bridge | NewKind::Dummy => {}
        }
        Ok(())
    }

    /// Encode the `RTM_NEWLINK` payload, with parent/master/underlay names already resolved
    /// to indexes (`resolve` maps a name to its index).
    pub fn encode(&self, resolve: impl FnMut(&str) -> u32) -> Result<Vec<u8>, Error> {
        self.encode_in(resolve, PeerNs::Here)
    }

    /// [`encode`](Self::encode), with a veth peer created in the namespace `peer_ns` names
    /// (`IFLA_NET_NS_FD` / `IFLA_NET_NS_PID` inside the peer's `ifinfomsg`, so both ends
    /// come into being in the one request). The caller keeps a namespace fd open until the
    /// kernel has answered. Other kinds ignore `peer_ns`. (A process's namespace is
    /// named by its `/proc/<pid>/ns/net` file.)
    pub(crate) fn encode_in(
        &self,
        mut resolve: impl FnMut(&str) -> u32,
        peer_ns: PeerNs,
    ) -> Result<Vec<u8>, Error> {
        self.validate()?;
        let mut p = header(
            0,
            if self.up { IFF_UP } else { 0 },
            if self.up { IFF_UP } else { 0 },
        );
        let mut w = AttrWriter::new(&mut p);
        w.put_str(IFLA_IFNAME, &self.name)?;
        if let Some(m) = self.mtu {
            w.put_u32(IFLA_MTU, m)?;
        }
        if let Some(Ok(mac)) = &self.address {
            w.put(IFLA_ADDRESS, mac.as_bytes())?;
        }
        if let Some(m) = &self.master {
            w.put_u32(IFLA_MASTER, resolve(m))?;
        }
        match &self.kind {
            NewKind::Macvlan { parent, .. }
            | NewKind::Ipvlan { parent, .. }
            | NewKind::Vlan { parent, .. } => {
                w.put_u32(IFLA_LINK, resolve(parent))?;
            }
            _ => {}
        }
        let info = w.begin_nest(IFLA_LINKINFO, false);
        w.put_str(IFLA_INFO_KIND, self.kind.kind())?;
        let data = match &self.kind {
            NewKind::Bridge | NewKind::Dummy => None,
            NewKind::Veth { peer } => Some(LinkData::Veth {
                peer: Some(Box::new(Link {
                    name: peer.clone(),
                    other: peer_ns.attrs()?,
                    ..Default::default()
                })),
                other: RawAttrs::default(),
            }),
            NewKind::Macvlan { mode, .. } => Some(LinkData::Macvlan {
                mode: Some(*mode),
                other: RawAttrs::default(),
            }),
            NewKind::Ipvlan { mode, .. } => Some(LinkData::Ipvlan {
                mode: Some(*mode),
                other: RawAttrs::default(),
            }),
            NewKind::Vlan { id, .. } => Some(LinkData::Vlan {
                id: Some(*id),
                protocol: None,
                other: RawAttrs::default(),
            }),
            NewKind::Vxlan {
                vni,
                port,
                remote,
                local,
                underlay,
            } => Some(LinkData::Vxlan(Vxlan {
                vni: Some(*vni),
                port: *port,
                remote: *remote,
                local: *local,
                underlay: underlay.as_deref().map(&mut resolve),
                ..Default::default()
            })),
        };
        if let Some(d) = data {
            LinkData::emit_attr(&d, IFLA_INFO_DATA, &mut w)?;
        }
        w.end_nest(info)?;
        Ok(p)
    }

    /// The names [`encode`](Self::encode) needs resolved, with their role.
    pub(crate) fn names(&self) -> Vec<(&str, &'static str)> {
        let mut v = Vec::new();
        if let Some(m) = &self.master {
            v.push((m.as_str(), "master interface"));
        }
        match &self.kind {
            NewKind::Macvlan { parent, .. }
            | NewKind::Ipvlan { parent, .. }
            | NewKind::Vlan { parent, .. } => v.push((parent.as_str(), "parent interface")),
            NewKind::Vxlan {
                underlay: Some(u), ..
            } => v.push((u.as_str(), "underlay interface")),
            _ => {}
        }
        v
    }
}
