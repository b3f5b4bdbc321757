//! Named stateful objects: counters, quotas and limits shared by rules (`objref`).
//!
//! Why typed kinds plus a raw fallback: counter, quota and limit are what the encoder writes
//! and rules commonly reference; the kernel has more kinds (ct helpers, timeouts, secmark,
//! synproxy, tunnels) that a pulled ruleset may contain. Those stay [`ObjectKind::Raw`] with
//! their kind number and attribute bytes, so nothing is lost and nothing is guessed.
//!
//! # Contract
//! - Objects are keyed by (kind, name) in a table ([`Object::key`]); two kinds may share a
//!   name.
//! - [`Object::check`]: valid name, comment ≤ 253 bytes, no NUL; a raw kind must not be 0.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::consts::object as c;
use crate::expr::{RateUnit, kernel_enum};
use crate::validate::{check_comment, check_name};
use crate::{Error, Reason, TableId};

kernel_enum! {
    /// A stateful object type (`NFT_OBJECT_*`).
    ///
    /// ```
    /// use linx_netfilter::ObjectType;
    /// assert_eq!(ObjectType::Limit.number(), 4);
    /// assert_eq!(ObjectType::from_number(2), ObjectType::Quota);
    /// assert_eq!(ObjectType::Counter.to_string(), "counter");
    /// ```
    pub enum ObjectType, path = "linx_netfilter::ObjectType", example = Counter {
        /// `counter` (1).
        Counter = c::NFT_OBJECT_COUNTER, "counter";
        /// `quota` (2).
        Quota = c::NFT_OBJECT_QUOTA, "quota";
        /// `ct helper` (3).
        CtHelper = c::NFT_OBJECT_CT_HELPER, "ct_helper";
        /// `limit` (4).
        Limit = c::NFT_OBJECT_LIMIT, "limit";
        /// `connlimit` (5).
        Connlimit = c::NFT_OBJECT_CONNLIMIT, "connlimit";
        /// `tunnel` (6).
        Tunnel = c::NFT_OBJECT_TUNNEL, "tunnel";
        /// `ct timeout` (7).
        CtTimeout = c::NFT_OBJECT_CT_TIMEOUT, "ct_timeout";
        /// `secmark` (8).
        Secmark = c::NFT_OBJECT_SECMARK, "secmark";
        /// `ct expectation` (9).
        CtExpect = c::NFT_OBJECT_CT_EXPECT, "ct_expectation";
        /// `synproxy` (10).
        Synproxy = c::NFT_OBJECT_SYNPROXY, "synproxy";
    }
}

/// What an object is, with its state.
///
/// ```
/// use linx_netfilter::{ObjectKind, ObjectType};
/// assert_eq!(ObjectKind::Counter { packets: 0, bytes: 0 }.object_type(), ObjectType::Counter);
/// assert_eq!(ObjectKind::Raw { kind_id: 8, data: vec![] }.object_type(), ObjectType::Secmark);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ObjectKind {
    /// A counter.
    Counter {
        /// Packets counted.
        #[serde(default)]
        packets: u64,
        /// Bytes counted.
        #[serde(default)]
        bytes: u64,
    },
    /// A byte quota.
    Quota {
        /// The quota in bytes.
        bytes: u64,
        /// Match when over the quota.
        #[serde(default)]
        over: bool,
        /// Bytes used so far.
        #[serde(default)]
        used: u64,
    },
    /// A rate limit.
    Limit {
        /// Packets (or bytes) per unit.
        rate: u64,
        /// Time unit.
        unit: RateUnit,
        /// Burst allowance.
        #[serde(default)]
        burst: u32,
        /// Count bytes instead of packets.
        #[serde(default)]
        bytes: bool,
        /// Match when over the rate.
        #[serde(default)]
        over: bool,
    },
    /// Any other kind: its `NFT_OBJECT_*` number and raw `NFTA_OBJ_DATA` bytes.
    Raw {
        /// The object type number.
        kind_id: u32,
        /// The nested attribute bytes.
        #[serde(with = "crate::hex")]
        data: Vec<u8>,
    },
}

impl ObjectKind {
    /// The object type.
    ///
    /// ```
    /// use linx_netfilter::{ObjectKind, ObjectType, expr::RateUnit};
    /// let k = ObjectKind::Limit { rate: 1, unit: RateUnit::Second, burst: 0, bytes: false, over: false };
    /// assert_eq!(k.object_type(), ObjectType::Limit);
    /// ```
    pub fn object_type(&self) -> ObjectType {
        match self {
            ObjectKind::Counter { .. } => ObjectType::Counter,
            ObjectKind::Quota { .. } => ObjectType::Quota,
            ObjectKind::Limit { .. } => ObjectType::Limit,
            ObjectKind::Raw { kind_id, .. } => ObjectType::from_number(*kind_id),
        }
    }
}

/// A named stateful object.
///
/// ```
/// use linx_netfilter::{Object, ObjectType};
/// let o = Object::counter("hits").comment("web hits");
/// assert_eq!(o.key(), (ObjectType::Counter, "hits"));
/// assert_eq!(o.to_string(), "Object<counter hits>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Object {
    /// The name, unique per kind in the table.
    pub name: String,
    /// Kind and state.
    pub kind: ObjectKind,
    /// A comment (≤ 253 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The kernel's handle, when pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<u64>,
}

impl Object {
    /// An object of any kind.
    ///
    /// ```
    /// use linx_netfilter::{Object, ObjectKind};
    /// let o = Object::new("q", ObjectKind::Quota { bytes: 1 << 30, over: false, used: 0 });
    /// assert_eq!(o.name, "q");
    /// ```
    pub fn new(name: impl Into<String>, kind: ObjectKind) -> Object {
        Object {
            name: name.into(),
            kind,
            comment: None,
            handle: None,
        }
    }

    /// A counter starting at zero.
    ///
    /// ```
    /// use linx_netfilter::{Object, ObjectKind};
    /// assert_eq!(Object::counter("c").kind, ObjectKind::Counter { packets: 0, bytes: 0 });
    /// ```
    pub fn counter(name: impl Into<String>) -> Object {
        Object::new(
            name,
            ObjectKind::Counter {
                packets: 0,
                bytes: 0,
            },
        )
    }

    /// A quota of `bytes`, nothing used.
    ///
    /// ```
    /// use linx_netfilter::{Object, ObjectKind};
    /// assert_eq!(Object::quota("q", 10).kind, ObjectKind::Quota { bytes: 10, over: false, used: 0 });
    /// ```
    pub fn quota(name: impl Into<String>, bytes: u64) -> Object {
        Object::new(
            name,
            ObjectKind::Quota {
                bytes,
                over: false,
                used: 0,
            },
        )
    }

    /// A packet rate limit with burst 5.
    ///
    /// ```
    /// use linx_netfilter::{Object, ObjectType, expr::RateUnit};
    /// assert_eq!(Object::limit("l", 10, RateUnit::Minute).key().0, ObjectType::Limit);
    /// ```
    pub fn limit(name: impl Into<String>, rate: u64, unit: RateUnit) -> Object {
        Object::new(
            name,
            ObjectKind::Limit {
                rate,
                unit,
                burst: 5,
                bytes: false,
                over: false,
            },
        )
    }

    /// Sets the comment.
    ///
    /// ```
    /// use linx_netfilter::Object;
    /// assert_eq!(Object::counter("c").comment("x").comment.as_deref(), Some("x"));
    /// ```
    #[must_use = "builder methods return the changed object"]
    pub fn comment(mut self, comment: impl Into<String>) -> Object {
        self.comment = Some(comment.into());
        self
    }

    /// The identity in the table: (type, name).
    ///
    /// ```
    /// use linx_netfilter::{Object, ObjectType};
    /// assert_eq!(Object::quota("q", 1).key(), (ObjectType::Quota, "q"));
    /// ```
    pub fn key(&self) -> (ObjectType, &str) {
        (self.kind.object_type(), &self.name)
    }

    /// Checks name, comment and kind.
    ///
    /// # Errors
    /// [`Error::BadObject`].
    ///
    /// ```
    /// use linx_netfilter::{Family, Object, TableId};
    /// let t = TableId::new(Family::Inet, "t");
    /// assert!(Object::counter("c").check(&t).is_ok());
    /// assert!(Object::counter("").check(&t).is_err());
    /// ```
    pub fn check(&self, table: &TableId) -> Result<(), Error> {
        let bad = |reason| Error::BadObject {
            table: table.clone(),
            object: self.name.clone(),
            reason,
        };
        check_name(&self.name).map_err(bad)?;
        if let Some(comment) = &self.comment {
            check_comment(comment).map_err(bad)?;
        }
        if let ObjectKind::Raw { kind_id: 0, .. } = self.kind {
            return Err(bad(Reason::DataType(
                "object type 0 (unspec) does not exist",
            )));
        }
        Ok(())
    }
}

impl fmt::Display for Object {
    /// `Object<kind name>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Object<{} {}>", self.kind.object_type(), self.name)
    }
}
