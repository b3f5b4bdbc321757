//! Compile-time checked literals for `linx-ip`: `ip!("10.0.0.1")`, `ip!("10.0.0.0/24")` and
//! `mac!("02:aa:bb:cc:dd:ee")`.
//!
//! Use these through `linx-ip`, which re-exports them as `linx_ip::ip!` and `linx_ip::mac!` and
//! carries their documentation and examples. This crate only exists because procedural macros must
//! live in a crate of their own.
//!
//! Why a proc macro at all: a literal address in code (a gateway in a test, a default in a config)
//! should fail the build when it is wrong, not return an error at run time, and it should be usable
//! in a `const` item. The macro validates the string with the same strict rules as the `FromStr`
//! impls in `linx-ip` and expands to a call of a `const fn` constructor.
//!
//! Why no `syn`/`quote`: the input is a single string literal token, so the `proc_macro` API is
//! enough and the crate compiles in well under a second.
//!
//! # Contract
//! - Input: optionally a crate path followed by `;` (the `linx-ip` wrappers pass `$crate;`, so the
//!   expansion keeps working when `linx-ip` is renamed in `Cargo.toml`), then exactly one plain
//!   string literal (`"..."`, no escapes, no suffix). Raw, byte and C strings are rejected.
//!   Without a crate path the expansion names `::linx_ip`, which breaks if the dependency was
//!   renamed; calling the macros through `linx_ip::ip!`/`linx_ip::mac!` avoids that.
//! - Validation: an IP literal without `/` must parse with `std::net::IpAddr::from_str` (full
//!   dotted quad, no leading zeros; IPv6 per std). With `/`, the part after it must be a decimal
//!   prefix length without sign or leading zeros, at most 32 (IPv4) or 128 (IPv6). A MAC literal
//!   must be exactly six `:`-separated groups of one or two hex digits.
//! - Output: `ip!` expands to `Ip::from_octets_v4([..])`/`Ip::from_octets_v6([..])` or, for a
//!   subnet, to a `match` on the `const fn Subnet::from_parts`; `mac!` expands to
//!   `Mac::new([..])`. Every expansion is a constant expression.
//! - A bad literal expands to `::core::compile_error!` with a message naming the literal and the
//!   rule it broke, spanned on the literal. The macro itself never panics.
//! - No `unsafe` code.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use std::net::IpAddr;

/// Placeholder identifier in the expansion templates, replaced by the caller's crate path.
const CRATE_PLACEHOLDER: &str = "__linx_ip_crate";

/// Expands an IP address or subnet string literal to a `linx_ip::Ip` or `linx_ip::Subnet`.
///
/// A literal containing `/` yields a `Subnet`, any other literal an `Ip`. See `linx_ip::ip!` for
/// the documentation and examples; use the macro through that re-export.
#[proc_macro]
pub fn ip(input: TokenStream) -> TokenStream {
    expand(input, expand_ip)
}

/// Expands a MAC address string literal to a `linx_ip::Mac`.
///
/// See `linx_ip::mac!` for the documentation and examples; use the macro through that
/// re-export.
#[proc_macro]
pub fn mac(input: TokenStream) -> TokenStream {
    expand(input, expand_mac)
}

/// Shared driver: split the input, read the literal, validate it and build the expansion.
fn expand(input: TokenStream, body: fn(&str) -> Result<String, String>) -> TokenStream {
    let (krate, literal, span) = match split_input(input) {
        Ok(parts) => parts,
        Err((span, message)) => return compile_error(span, &message),
    };
    let template = match body(&literal) {
        Ok(template) => template,
        Err(message) => return compile_error(span, &message),
    };
    match template.parse::<TokenStream>() {
        Ok(tokens) => substitute_crate(tokens, &krate),
        // The templates are built from numbers and fixed text only, so this is unreachable in
        // practice; report it instead of panicking all the same.
        Err(_) => compile_error(
            span,
            "linx-ip-macros: internal error building the expansion",
        ),
    }
}

/// Splits `[crate path ;] "literal"` into the crate path, the literal's contents and its span.
fn split_input(input: TokenStream) -> Result<(TokenStream, String, Span), (Span, String)> {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let semicolon = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'));
    let (krate, rest) = match semicolon {
        Some(i) => (tokens[..i].iter().cloned().collect(), &tokens[i + 1..]),
        None => (default_crate(), &tokens[..]),
    };
    let literal = match rest {
        [single] => unwrap_invisible_group(single.clone()),
        [] => {
            return Err((
                Span::call_site(),
                "expected a string literal, e.g. ip!(\"10.0.0.1\")".to_owned(),
            ));
        }
        [first, ..] => {
            return Err((
                first.span(),
                "expected exactly one string literal, e.g. ip!(\"10.0.0.1\")".to_owned(),
            ));
        }
    };
    match literal {
        TokenTree::Literal(lit) => {
            let span = lit.span();
            string_contents(&lit)
                .map(|s| (krate, s, span))
                .map_err(|m| (span, m))
        }
        other => Err((
            other.span(),
            "expected a string literal, e.g. ip!(\"10.0.0.1\")".to_owned(),
        )),
    }
}

/// `::linx_ip`, used when the caller did not pass a crate path.
fn default_crate() -> TokenStream {
    [
        TokenTree::Punct(Punct::new(':', Spacing::Joint)),
        TokenTree::Punct(Punct::new(':', Spacing::Alone)),
        TokenTree::Ident(Ident::new("linx_ip", Span::call_site())),
    ]
    .into_iter()
    .collect()
}

/// A literal forwarded through a `macro_rules!` `$x:expr`/`$x:literal` fragment arrives wrapped in
/// a group with invisible delimiters; look through it.
fn unwrap_invisible_group(tree: TokenTree) -> TokenTree {
    if let TokenTree::Group(group) = &tree {
        if group.delimiter() == Delimiter::None {
            let mut inner = group.stream().into_iter();
            if let (Some(only), None) = (inner.next(), inner.next()) {
                return unwrap_invisible_group(only);
            }
        }
    }
    tree
}

/// Returns the contents of a plain `"..."` string literal without escapes or suffix.
fn string_contents(lit: &Literal) -> Result<String, String> {
    let repr = lit.to_string();
    let inner = repr
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(|| {
            format!("expected a plain string literal like \"10.0.0.1\", found `{repr}`")
        })?;
    if inner.contains('\\') {
        return Err(format!(
            "escape sequences are not supported in address literals: `{repr}`"
        ));
    }
    Ok(inner.to_owned())
}

/// Validates an IP or subnet literal and returns the expansion template.
fn expand_ip(text: &str) -> Result<String, String> {
    let Some((address, prefix)) = text.split_once('/') else {
        let ip = text.parse::<IpAddr>().map_err(|_| {
            format!(
                "bad IP address literal {text:?}: expected a full IPv4 dotted quad \
                 (a.b.c.d, no leading zeros) or an IPv6 address"
            )
        })?;
        return Ok(ip_template(ip));
    };
    let ip = address.parse::<IpAddr>().map_err(|_| {
        format!(
            "bad subnet literal {text:?}: {address:?} is not a full IPv4 dotted quad \
             (a.b.c.d, no leading zeros) or an IPv6 address"
        )
    })?;
    let (family, max) = match ip {
        IpAddr::V4(_) => ("IPv4", 32),
        IpAddr::V6(_) => ("IPv6", 128),
    };
    let prefix = parse_prefix(prefix).ok_or_else(|| {
        format!(
            "bad subnet literal {text:?}: prefix length {prefix:?} is not a decimal number \
             (no sign, no leading zeros)"
        )
    })?;
    if prefix > max {
        return Err(format!(
            "bad subnet literal {text:?}: prefix length /{prefix} is longer than {max} \
             for an {family} address"
        ));
    }
    Ok(format!(
        "match {CRATE_PLACEHOLDER}::Subnet::from_parts({}, {prefix}u8) {{ \
            ::core::option::Option::Some(subnet) => subnet, \
            ::core::option::Option::None => \
                ::core::panic!(\"linx_ip::ip!: prefix length checked at compile time\"), \
         }}",
        ip_template(ip)
    ))
}

/// Parses a prefix length the way `linx_ip::Subnet`'s `FromStr` does: one to three ASCII digits,
/// no sign, no leading zero except for `0` itself.
fn parse_prefix(text: &str) -> Option<u8> {
    let well_formed = !text.is_empty()
        && text.len() <= 3
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if well_formed { text.parse().ok() } else { None }
}

/// The constructor call for a validated address.
fn ip_template(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!(
            "{CRATE_PLACEHOLDER}::Ip::from_octets_v4({})",
            byte_array(&v4.octets())
        ),
        IpAddr::V6(v6) => format!(
            "{CRATE_PLACEHOLDER}::Ip::from_octets_v6({})",
            byte_array(&v6.octets())
        ),
    }
}

/// Validates a MAC literal and returns the expansion template.
fn expand_mac(text: &str) -> Result<String, String> {
    let mut octets = [0u8; 6];
    let mut groups = text.split(':');
    let mut ok = true;
    for slot in &mut octets {
        match groups.next().and_then(parse_mac_group) {
            Some(octet) => *slot = octet,
            None => ok = false,
        }
    }
    if !ok || groups.next().is_some() {
        return Err(format!(
            "bad MAC address literal {text:?}: expected exactly six ':'-separated groups of \
             one or two hex digits, e.g. \"02:aa:bb:cc:dd:ee\""
        ));
    }
    Ok(format!(
        "{CRATE_PLACEHOLDER}::Mac::new({})",
        byte_array(&octets)
    ))
}

/// One MAC group: one or two hex digits, nothing else (no sign, no `0x`).
fn parse_mac_group(group: &str) -> Option<u8> {
    let well_formed =
        (1..=2).contains(&group.len()) && group.bytes().all(|b| b.is_ascii_hexdigit());
    if well_formed {
        u8::from_str_radix(group, 16).ok()
    } else {
        None
    }
}

/// `[1u8, 2u8, ...]`.
fn byte_array(bytes: &[u8]) -> String {
    let items: Vec<String> = bytes.iter().map(|b| format!("{b}u8")).collect();
    format!("[{}]", items.join(", "))
}

/// Replaces every placeholder identifier in `tokens`, at any depth, by the crate path.
fn substitute_crate(tokens: TokenStream, krate: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) if ident.to_string() == CRATE_PLACEHOLDER => {
                out.extend(krate.clone());
            }
            TokenTree::Group(group) => {
                let mut replaced =
                    Group::new(group.delimiter(), substitute_crate(group.stream(), krate));
                replaced.set_span(group.span());
                out.extend([TokenTree::Group(replaced)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// `::core::compile_error!("message")`, spanned on the offending tokens.
fn compile_error(span: Span, message: &str) -> TokenStream {
    let mut text = Literal::string(message);
    text.set_span(span);
    let mut args = Group::new(
        Delimiter::Parenthesis,
        TokenStream::from(TokenTree::Literal(text)),
    );
    args.set_span(span);
    let punct = |c, spacing| {
        let mut p = Punct::new(c, spacing);
        p.set_span(span);
        TokenTree::Punct(p)
    };
    [
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("core", span)),
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("compile_error", span)),
        punct('!', Spacing::Alone),
        TokenTree::Group(args),
    ]
    .into_iter()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::{expand_ip, expand_mac, parse_prefix};

    #[test]
    fn accepts_good_ip_literals() {
        let v4 = expand_ip("10.0.0.5").unwrap();
        assert!(v4.contains("from_octets_v4([10u8, 0u8, 0u8, 5u8])"), "{v4}");
        let v6 = expand_ip("::1").unwrap();
        assert!(v6.contains("from_octets_v6("), "{v6}");
        let net = expand_ip("10.0.0.0/24").unwrap();
        assert!(
            net.contains("Subnet::from_parts(") && net.contains("24u8"),
            "{net}"
        );
        assert!(expand_ip("::/0").is_ok());
        assert!(expand_ip("2001:db8::/128").is_ok());
    }

    #[test]
    fn rejects_bad_ip_literals() {
        for bad in [
            "10.0.0",
            "10.1",
            "010.0.0.1",
            "1.2.3.4.5",
            "256.0.0.1",
            "",
            "10.0.0.0/33",
            "::1/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/08",
            "10.0.0.0/24/1",
            "/24",
            "::1%eth0",
        ] {
            assert!(expand_ip(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn prefix_rules() {
        assert_eq!(parse_prefix("0"), Some(0));
        assert_eq!(parse_prefix("128"), Some(128));
        assert_eq!(parse_prefix("255"), Some(255));
        for bad in ["", "00", "01", "+1", "-1", "256", "1000", " 1"] {
            assert_eq!(parse_prefix(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn mac_literals() {
        let mac = expand_mac("02:aa:BB:c:d:ee").unwrap();
        assert!(
            mac.contains("Mac::new([2u8, 170u8, 187u8, 12u8, 13u8, 238u8])"),
            "{mac}"
        );
        for bad in [
            "02:aa:bb:cc:dd",
            "02:aa:bb:cc:dd:ee:ff",
            "zz:aa:bb:cc:dd:ee",
            "02-aa-bb-cc-dd-ee",
            "002:aa:bb:cc:dd:ee",
            "02:aa:bb:cc:dd:",
            "+2:aa:bb:cc:dd:ee",
            "",
        ] {
            assert!(expand_mac(bad).is_err(), "{bad:?} accepted");
        }
    }
}
