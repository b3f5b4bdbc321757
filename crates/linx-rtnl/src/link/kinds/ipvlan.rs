//! ipvlan / ipvtap data: `IFLA_IPVLAN_MODE`, a host-order `u16` read as [`IpvlanMode`].

crate::values::int_enum! {
    /// ipvlan modes (`enum ipvlan_mode`).
    pub enum IpvlanMode: u16, "ipvlan mode" {
        /// `IPVLAN_MODE_L2` (0).
        L2 = 0,
        /// `IPVLAN_MODE_L3` (1).
        L3 = 1,
        /// `IPVLAN_MODE_L3S` (2).
        L3s = 2,
    }
    /// `IFLA_IPVLAN_MODE`: a host-order `u16`; every value is typed.
    ///
    /// ```
    /// use linx_netlink_codec::AttrValue;
    /// use linx_rtnl::link::IpvlanMode;
    /// assert_eq!(IpvlanMode::parse_value(&1u16.to_ne_bytes()).unwrap(), IpvlanMode::L3);
    /// ```
    impl AttrValue;
}
