//! macvlan / macvtap data: `IFLA_MACVLAN_MODE`, a host-order `u32` read as [`MacvlanMode`].

crate::values::int_enum! {
    /// macvlan modes (`enum macvlan_mode`).
    pub enum MacvlanMode: u32, "macvlan mode" {
        /// `MACVLAN_MODE_PRIVATE` (1): no traffic between macvlans of one parent.
        Private = 1,
        /// `MACVLAN_MODE_VEPA` (2): traffic between macvlans goes out through the switch.
        Vepa = 2,
        /// `MACVLAN_MODE_BRIDGE` (4): macvlans of one parent talk directly.
        Bridge = 4,
        /// `MACVLAN_MODE_PASSTHRU` (8): one macvlan takes over the parent.
        Passthru = 8,
        /// `MACVLAN_MODE_SOURCE` (16).
        Source = 16,
    }
    /// `IFLA_MACVLAN_MODE`: a host-order `u32`; every value is typed (unknown ones as
    /// [`MacvlanMode::Other`]).
    ///
    /// ```
    /// use linx_netlink_codec::AttrValue;
    /// use linx_rtnl::link::MacvlanMode;
    /// assert_eq!(MacvlanMode::parse_value(&4u32.to_ne_bytes()).unwrap(), MacvlanMode::Bridge);
    /// ```
    impl AttrValue;
}
