//! [`Verdict`]: what a rule (or a verdict map) decides for a packet.
//!
//! Why an enum with the chain name inside: `jump`/`goto` are meaningless without a target, and
//! the kernel encodes them as a code plus a chain-name attribute. Keeping the name in the
//! variant makes a target-less jump unrepresentable; [`Verdict::code`] and
//! [`Verdict::from_code`] are the only place the numbers live.
//!
//! # Contract
//! - Codes (§7.1): drop 0, accept 1, queue 3, continue -1, jump -3, goto -4, return -5.
//!   [`Verdict::from_code`] also reads the queue number from the high 16 bits of a queue code.
//! - A reject is not a verdict but an expression ([`Expr::Reject`](crate::expr::Expr::Reject)).
//! - Text form is nft's (`accept`, `jump allowed`, `queue 3`); serde is `"accept"` /
//!   `{"jump": "allowed"}` / `{"queue": 3}`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::consts::verdict as c;

/// A verdict: the outcome of a rule or a verdict-map lookup.
///
/// ```
/// use linx_netfilter::Verdict;
/// assert_eq!(Verdict::Jump("ssh".into()).to_string(), "jump ssh");
/// assert_eq!(Verdict::Drop.code(), 0);
/// assert_eq!(serde_json::to_string(&Verdict::Goto("x".into()))?, r#"{"goto":"x"}"#);
/// assert_eq!(serde_json::to_string(&Verdict::Accept)?, r#""accept""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Accept the packet (this hook; later hooks still see it).
    Accept,
    /// Drop the packet.
    Drop,
    /// Go on with the next rule (the default after a rule that decided nothing).
    Continue,
    /// Return to the chain that jumped here (or apply the base chain's policy).
    Return,
    /// Run the named regular chain, then come back.
    Jump(String),
    /// Run the named regular chain and do not come back.
    Goto(String),
    /// Hand the packet to userspace queue `n` (NFQUEUE).
    Queue(u16),
}

impl Verdict {
    /// The kernel verdict code (`NFTA_VERDICT_CODE`), without a queue number.
    ///
    /// ```
    /// use linx_netfilter::Verdict;
    /// let codes: Vec<i32> = [
    ///     Verdict::Drop, Verdict::Accept, Verdict::Queue(7), Verdict::Continue,
    ///     Verdict::Jump("c".into()), Verdict::Goto("c".into()), Verdict::Return,
    /// ].iter().map(Verdict::code).collect();
    /// assert_eq!(codes, [0, 1, 3, -1, -3, -4, -5]);
    /// ```
    pub fn code(&self) -> i32 {
        match self {
            Verdict::Drop => c::NF_DROP,
            Verdict::Accept => c::NF_ACCEPT,
            Verdict::Queue(_) => c::NF_QUEUE,
            Verdict::Continue => c::NFT_CONTINUE,
            Verdict::Jump(_) => c::NFT_JUMP,
            Verdict::Goto(_) => c::NFT_GOTO,
            Verdict::Return => c::NFT_RETURN,
        }
    }

    /// The verdict for a kernel code and its chain attribute: jump and goto need `chain`,
    /// a queue code carries the queue number in its high 16 bits (other flag bits, such as
    /// the queue-bypass flag, are not modelled). `None` for unknown codes
    /// (including `NFT_BREAK`, which never appears in rules) and a jump/goto without a chain.
    ///
    /// ```
    /// use linx_netfilter::Verdict;
    /// assert_eq!(Verdict::from_code(1, None), Some(Verdict::Accept));
    /// assert_eq!(Verdict::from_code(-3, Some("c")), Some(Verdict::Jump("c".into())));
    /// assert_eq!(Verdict::from_code(-3, None), None);
    /// assert_eq!(Verdict::from_code((7 << 16) | 3, None), Some(Verdict::Queue(7)));
    /// assert_eq!(Verdict::from_code(42, None), None);
    /// ```
    pub fn from_code(code: i32, chain: Option<&str>) -> Option<Verdict> {
        let verdict = match code {
            c::NF_DROP => Verdict::Drop,
            c::NF_ACCEPT => Verdict::Accept,
            c::NFT_CONTINUE => Verdict::Continue,
            c::NFT_RETURN => Verdict::Return,
            c::NFT_JUMP => Verdict::Jump(chain?.to_owned()),
            c::NFT_GOTO => Verdict::Goto(chain?.to_owned()),
            // The kernel's verdict word is a u32: reinterpret the bits.
            code if (code as u32 & c::NF_VERDICT_MASK) == c::NF_QUEUE as u32 => {
                Verdict::Queue((code as u32 >> c::NF_VERDICT_QBITS) as u16)
            }
            _ => return None,
        };
        Some(verdict)
    }

    /// The target chain of a jump or goto.
    ///
    /// ```
    /// use linx_netfilter::Verdict;
    /// assert_eq!(Verdict::Goto("c".into()).target(), Some("c"));
    /// assert_eq!(Verdict::Accept.target(), None);
    /// ```
    pub fn target(&self) -> Option<&str> {
        match self {
            Verdict::Jump(chain) | Verdict::Goto(chain) => Some(chain),
            _ => None,
        }
    }
}

impl fmt::Display for Verdict {
    /// nft's spelling: `accept`, `jump c`, `queue 3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Accept => f.write_str("accept"),
            Verdict::Drop => f.write_str("drop"),
            Verdict::Continue => f.write_str("continue"),
            Verdict::Return => f.write_str("return"),
            Verdict::Jump(chain) => write!(f, "jump {chain}"),
            Verdict::Goto(chain) => write!(f, "goto {chain}"),
            Verdict::Queue(n) => write!(f, "queue {n}"),
        }
    }
}
